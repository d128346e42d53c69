#!/usr/bin/env python3
"""Convert dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`, from
the PyPI sdist face-recognition-models==0.3.0, CC0) to safetensors for
crates/vision/src/face/embed.rs.

dlib writes a network as its layers from the input up, each a name string (`con_4`,
`affine_`, `relu_`, `max_pool_2`, `avg_pool_2`, `add_prev_`, `fc_2`) and its fields in dlib's
own encoding: an integer is a control byte (bit 7 the sign, the low nibble how many
little-endian bytes follow), a float is an integer mantissa and exponent, a bool is the
character '1' or '0', a tensor is version 2, four integer dimensions and raw little-endian
f32 values. The parser reads each layer's fields in that order and checks the sequence of
layers against the network dlib's `dnn_face_recognition_ex.cpp` declares (below); anything
else stops the conversion.

Written: for each convolution i (in order) `conv{i}.weight` [O, I, k, k] and `conv{i}.bias`
[O], its batch norm folded in from the `affine_` layer that follows it (y = gamma x + beta);
`fc.weight` [128, 256]; metadata: the input means, and each convolution's stride and
padding as dlib stores them. Stored as f16 (11 MB instead of 22); the parity test measures
what that costs against dlib itself.

usage: convert_dlib.py IN.dat OUT.safetensors
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import safetensors_f16  # noqa: E402  (scripts/safetensors_f16.py)


class Reader:
    def __init__(self, data):
        self.d = data
        self.i = 0

    def int(self):
        c = self.d[self.i]
        self.i += 1
        n = c & 0x0F
        v = int.from_bytes(self.d[self.i:self.i + n], "little")
        self.i += n
        return -v if c & 0x80 else v

    def float(self):
        m = self.int()
        e = self.int()
        return m * 2.0 ** e

    def string(self):
        n = self.int()
        s = self.d[self.i:self.i + n].decode()
        self.i += n
        return s

    def bool(self):
        c = self.d[self.i:self.i + 1]
        self.i += 1
        if c not in (b"0", b"1"):
            sys.exit(f"convert_dlib.py: expected a bool at {self.i - 1}, got {c!r}")
        return c == b"1"

    def tensor(self):
        if self.int() != 2:
            sys.exit(f"convert_dlib.py: tensor version at {self.i}")
        dims = [self.int() for _ in range(4)]
        n = int(np.prod(dims))
        v = np.frombuffer(self.d[self.i:self.i + 4 * n], dtype="<f4").copy()
        self.i += 4 * n
        return v, dims

    def alias(self):
        if self.int() != 1:
            sys.exit(f"convert_dlib.py: alias tensor version at {self.i}")
        return [self.int() for _ in range(4)]

    def name(self):
        # A layer's name may follow small version integers (1-3) of the layers around it.
        while self.d[self.i] == 1 and self.d[self.i + 1] <= 3:
            self.i += 2
        return self.string()

    def expect(self, name):
        got = self.string()
        if got != name:
            sys.exit(f"convert_dlib.py: expected layer {name}, found {got} at {self.i}")


def layer_tail(r):
    # add_layer's own fields after its details: three bools and three (empty) tensors.
    for _ in range(3):
        r.bool()
    for _ in range(3):
        r.tensor()


def expected_layers():
    """dlib's declared network, from the input up, as layer names."""
    seq = ["con", "affine", "relu", "max_pool"]

    def block(down):
        s = ["con", "affine", "relu", "con", "affine"]
        if down:
            s.append("avg_pool")
        return s + ["add_prev", "relu"]

    levels = [(32, 3, False), (64, 4, True), (128, 3, True), (256, 3, True), (256, 1, True)]
    for _, count, down in levels:
        for b in range(count):
            seq += block(down and b == 0)
    return seq + ["avg_pool_all", "fc"]


def main(src, dst):
    r = Reader(open(src, "rb").read())
    # The loss layer first: its version, name and margin parameters.
    r.int()
    r.expect("loss_metric_2")
    r.float()
    r.float()
    # Then one version integer per layer (small integers: 2 for a layer, 1 for a tag or skip, 3 for the input) before the
    # input layer's name.
    name = b"input_rgb_image_sized"
    at = r.d.find(bytes([1, len(name)]) + name, r.i)
    if at < 0 or any(b not in (1, 2, 3) for b in r.d[r.i + 1:at:2]):
        sys.exit("convert_dlib.py: no input layer after the version integers")
    r.i = at
    r.expect("input_rgb_image_sized")
    means = [r.float() for _ in range(3)]
    side = (r.int(), r.int())
    if side != (150, 150):
        sys.exit(f"convert_dlib.py: input {side}")
    kinds, weights, convs, pending = [], {}, [], None
    fc = None
    while r.i < len(r.d):
        name = r.name()
        if name == "con_4":
            params, _ = r.tensor()
            nf, nr, nc, sy, sx, py, px = [r.int() for _ in range(7)]
            w_len = len(params) - nf
            k_in = w_len // (nf * nr * nc)
            if k_in * nf * nr * nc != w_len or nr != nc or sy != sx or py != px:
                sys.exit(f"convert_dlib.py: convolution {nf} {nr}x{nc} s{sy},{sx} p{py},{px}")
            r.alias()  # filters
            r.alias()  # biases
            # learning-rate and weight-decay multipliers of weights and biases
            for _ in range(4):
                r.float()
            pending = (params[:w_len].reshape(nf, k_in, nr, nc), params[w_len:], sy, py)
            kinds.append("con")
        elif name == "affine_":
            params, _ = r.tensor()
            r.alias()  # gamma
            r.alias()  # beta
            r.int()  # mode
            c = len(params) // 2
            gamma, beta = params[:c], params[c:]
            if pending is None or pending[0].shape[0] != c:
                sys.exit("convert_dlib.py: an affine layer not after its convolution")
            w, b, stride, pad = pending
            i = len(convs)
            weights[f"conv{i}.weight"] = w * gamma[:, None, None, None]
            weights[f"conv{i}.bias"] = b * gamma + beta
            convs.append({"stride": stride, "padding": pad, "kernel": int(w.shape[2]),
                          "in": int(w.shape[1]), "out": int(w.shape[0])})
            pending = None
            kinds.append("affine")
        elif name == "relu_":
            kinds.append("relu")
        elif name in ("max_pool_2", "avg_pool_2"):
            nr, nc, sy, sx, py, px = [r.int() for _ in range(6)]
            if name == "max_pool_2":
                if (nr, nc, sy, sx, py, px) != (3, 3, 2, 2, 0, 0):
                    sys.exit(f"convert_dlib.py: max pool {nr} {nc} {sy} {sx} {py} {px}")
                kinds.append("max_pool")
            elif (nr, nc, sy, sx, py, px) == (2, 2, 2, 2, 0, 0):
                kinds.append("avg_pool")
            elif (nr, nc, sy, sx, py, px) == (0, 0, 1, 1, 0, 0):
                kinds.append("avg_pool_all")
            else:
                sys.exit(f"convert_dlib.py: average pool {nr} {nc} {sy} {sx} {py} {px}")
        elif name == "add_prev_":
            kinds.append("add_prev")
        elif name == "fc_2":
            outs, ins = r.int(), r.int()
            params, dims = r.tensor()
            if dims[:2] != [ins, outs] or len(params) != ins * outs:
                sys.exit(f"convert_dlib.py: fc {dims} for {ins} -> {outs}")
            fc = params.reshape(ins, outs).T
            kinds.append("fc")
            break
        else:
            sys.exit(f"convert_dlib.py: unknown layer {name} at {r.i}")
        layer_tail(r)
    if kinds != expected_layers():
        sys.exit("convert_dlib.py: the layers are not dlib's face recognition ResNet")
    weights["fc.weight"] = fc
    meta = {
        "source": "face-recognition-models==0.3.0 dlib_face_recognition_resnet_model_v1.dat",
        "means": json.dumps(means),
        "convolutions": json.dumps(convs, separators=(",", ":")),
        "layout": "conv OIHW with the following affine layer folded in; fc [out, in]",
    }
    safetensors_f16.write(dst, weights, meta)
    print(f"{dst}: {len(convs)} convolutions, means {[round(m, 3) for m in means]}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
