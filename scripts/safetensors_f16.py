"""Write named arrays as an f16 safetensors file with string metadata: the one writer the
model converters share (scripts/tflite/convert.py, scripts/faces/convert_dlib.py).
Tensors in name order, the JSON header padded with spaces to a multiple of 8 bytes."""
import json
import struct

import numpy as np


def write(path, tensors, metadata):
    header, blobs, at = {}, [], 0
    for n in sorted(tensors):
        arr = np.ascontiguousarray(tensors[n].astype(np.float16))
        raw = arr.tobytes()
        header[n] = {"dtype": "F16", "shape": list(arr.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
