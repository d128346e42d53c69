#!/usr/bin/env python3
"""Convert a MediaPipe .tflite network (the selfie segmentation, the BlazeFace face detector) to
safetensors: the weights as stored (f16), under their original names and layouts, and the
graph as a list of operations in the file's metadata (key "graph", JSON), so that the Rust
side (crates/vision/src/graph.rs) runs the exact network without a flatbuffers reader.

The .tflite is read with the `tflite` package (the TensorFlow Lite schema's generated
flatbuffers classes; pip install tflite). Every operation is checked against what the Rust
executor implements; anything else (a fused activation, a dilation, an unknown op) stops the
conversion instead of being silently dropped.

A network with several outputs (the detector's box regressors and scores, each the
concatenation of reshaped per-scale convolution outputs) is written with metadata "outputs":
for each graph output, the convolution tensors it concatenates, in order, each as NHWC rows
(the reshape and concatenation are left to the caller, which knows the anchors).

usage: convert.py IN.tflite OUT.safetensors SOURCE
  SOURCE: where the .tflite came from, kept in the metadata
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import safetensors_f16  # noqa: E402  (scripts/safetensors_f16.py)
import tflite
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions
from tflite.Padding import Padding
from tflite.TensorType import TensorType

OP_NAMES = {v: k for k, v in BuiltinOperator.__dict__.items() if not k.startswith("_")}
NUMPY = {TensorType.FLOAT16: np.float16, TensorType.FLOAT32: np.float32,
         TensorType.INT32: np.int32}


def fail(msg):
    sys.exit(f"convert.py: {msg}")


def options(op, cls):
    o = cls()
    table = op.BuiltinOptions()
    if table is None:
        fail(f"{cls.__name__} missing")
    o.Init(table.Bytes, table.Pos)
    return o


def padding(p):
    return {Padding.SAME: "same", Padding.VALID: "valid"}[p]


def main(src, dst, source):
    buf = open(src, "rb").read()
    model = tflite.Model.GetRootAsModel(buf, 0)
    if model.SubgraphsLength() != 1:
        fail("expected one subgraph")
    g = model.Subgraphs(0)

    def tensor(i):
        return g.Tensors(i)

    def name(i):
        return tensor(i).Name().decode()

    def shape(i):
        t = tensor(i)
        return [int(v) for v in t.ShapeAsNumpy()] if t.ShapeLength() else []

    def constant(i):
        t = tensor(i)
        data = model.Buffers(t.Buffer()).DataAsNumpy()
        if isinstance(data, int) or data.size == 0:
            return None
        return np.frombuffer(data.tobytes(), dtype=NUMPY[t.Type()]).reshape(shape(i))

    weights = {}
    alias = {}  # DEQUANTIZE output -> the constant it dequantizes
    graph = []
    rows = {}  # RESHAPE output -> the NHWC tensor it views as rows
    concat = {}  # CONCATENATION output -> the tensors it joins
    for k in range(g.OperatorsLength()):
        op = g.Operators(k)
        code_t = model.OperatorCodes(op.OpcodeIndex())
        code = max(code_t.BuiltinCode(), code_t.DeprecatedBuiltinCode())
        ins = [op.Inputs(j) for j in range(op.InputsLength())]
        outs = [op.Outputs(j) for j in range(op.OutputsLength())]
        if len(outs) != 1:
            fail(f"op {k}: {len(outs)} outputs")
        out = name(outs[0])

        def arg(j):
            i = ins[j]
            n = name(i)
            if n in alias:
                return alias[n]
            c = constant(i)
            if c is not None and c.dtype != np.int32:
                weights[n] = c
            return n

        kind = OP_NAMES.get(code, code)
        if kind == "DEQUANTIZE":
            c = constant(ins[0])
            if c is None or c.dtype != np.float16:
                fail(f"op {k}: DEQUANTIZE of a non-f16 constant")
            weights[name(ins[0])] = c
            alias[out] = name(ins[0])
            continue
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            if kind == "CONV_2D":
                o = options(op, tflite.Conv2DOptions)
            else:
                o = options(op, tflite.DepthwiseConv2DOptions)
                if o.DepthMultiplier() not in (0, 1):
                    fail(f"op {k}: depth multiplier {o.DepthMultiplier()}")
            if o.FusedActivationFunction() != 0:
                fail(f"op {k}: fused activation {o.FusedActivationFunction()}")
            if (o.DilationHFactor(), o.DilationWFactor()) != (1, 1):
                fail(f"op {k}: dilation")
            if o.StrideH() != o.StrideW():
                fail(f"op {k}: unequal strides")
            graph.append({"op": "conv" if kind == "CONV_2D" else "depthwise",
                          "x": arg(0), "w": arg(1), "b": arg(2), "stride": o.StrideH(),
                          "padding": padding(o.Padding()), "out": out})
        elif kind in ("HARD_SWISH", "RELU", "LOGISTIC"):
            graph.append({"op": {"HARD_SWISH": "hard_swish", "RELU": "relu",
                                 "LOGISTIC": "sigmoid"}[kind], "x": arg(0), "out": out})
        elif kind == "AVERAGE_POOL_2D":
            o = options(op, tflite.Pool2DOptions)
            s_in, s_out = shape(ins[0]), shape(outs[0])
            if o.FusedActivationFunction() != 0 or s_out[1:3] != [1, 1] \
                    or (o.FilterHeight(), o.FilterWidth()) != tuple(s_in[1:3]):
                fail(f"op {k}: only a global average pool is supported")
            graph.append({"op": "mean", "x": arg(0), "out": out})
        elif kind in ("ADD", "MUL"):
            cls = tflite.AddOptions if kind == "ADD" else tflite.MulOptions
            if options(op, cls).FusedActivationFunction() != 0:
                fail(f"op {k}: fused activation")
            a, b = shape(ins[0]), shape(ins[1])
            if kind == "ADD" and a != b:
                fail(f"op {k}: broadcasting ADD {a} {b}")
            if kind == "MUL" and b[1:3] != [1, 1]:
                fail(f"op {k}: MUL must scale channels, got {a} x {b}")
            graph.append({"op": kind.lower(), "a": arg(0), "b": arg(1), "out": out})
        elif kind == "RESIZE_BILINEAR":
            o = options(op, tflite.ResizeBilinearOptions)
            s_in, s_out = shape(ins[0]), shape(outs[0])
            size = [int(v) for v in constant(ins[1]).ravel()]
            if size != s_out[1:3] or size != [2 * s_in[1], 2 * s_in[2]]:
                fail(f"op {k}: only a 2x upsampling is supported")
            graph.append({"op": "upsample2", "x": arg(0), "out": out,
                          "align_corners": bool(o.AlignCorners()),
                          "half_pixel_centers": bool(o.HalfPixelCenters())})
        elif kind == "PAD":
            pads = [[int(v) for v in p] for p in constant(ins[1]).reshape(-1, 2)]
            if len(pads) != 4 or any(p != [0, 0] for p in pads[:3]) or pads[3][0] != 0:
                fail(f"op {k}: only zero padding at the end of the channels is supported, {pads}")
            graph.append({"op": "pad_channels", "x": arg(0), "extra": pads[3][1], "out": out})
        elif kind == "MAX_POOL_2D":
            o = options(op, tflite.Pool2DOptions)
            s_in, s_out = shape(ins[0]), shape(outs[0])
            if o.FusedActivationFunction() != 0 \
                    or (o.FilterHeight(), o.FilterWidth(), o.StrideH(), o.StrideW()) != (2, 2, 2, 2) \
                    or s_in[1] % 2 or s_in[2] % 2 or s_out[1:3] != [s_in[1] // 2, s_in[2] // 2]:
                fail(f"op {k}: only a 2x2 stride-2 max pool of even sides is supported")
            graph.append({"op": "max_pool2", "x": arg(0), "out": out})
        elif kind == "RESHAPE":
            s_in, s_out = shape(ins[0]), shape(outs[0])
            if len(s_in) != 4 or len(s_out) != 3 or s_out[1] * s_out[2] != s_in[1] * s_in[2] * s_in[3]:
                fail(f"op {k}: only NHWC to rows is supported, {s_in} -> {s_out}")
            rows[out] = name(ins[0])
        elif kind == "CONCATENATION":
            o = options(op, tflite.ConcatenationOptions)
            if o.Axis() != 1 or o.FusedActivationFunction() != 0 \
                    or any(name(i) not in rows for i in ins):
                fail(f"op {k}: only joining reshaped rows is supported")
            concat[out] = [rows[name(i)] for i in ins]
        elif kind == "CUSTOM" and code_t.CustomCode().decode() == "Convolution2DTransposeBias":
            # MediaPipe's op reads its options as TfLiteTransposeConvParams:
            # {TfLitePadding padding; int stride_width; int stride_height;} (little-endian i32).
            raw = op.CustomOptionsAsNumpy().tobytes()
            pad, sw, sh = struct.unpack("<3i", raw[:12])
            w_shape = shape(ins[1])
            if (sw, sh) != (2, 2) or w_shape[1:3] != [2, 2]:
                fail(f"op {k}: transposed convolution {w_shape} stride {sw}x{sh}")
            # TfLitePadding: 0 unknown, 1 same, 2 valid. With a 2x2 kernel and stride 2 the
            # taps do not overlap and both give the same 2x output.
            graph.append({"op": "transpose_conv2", "x": arg(0), "w": arg(1), "b": arg(2),
                          "padding": {1: "same", 2: "valid"}.get(pad, str(pad)), "out": out})
        else:
            fail(f"op {k}: unsupported operation {kind}")

    inputs = [name(g.Inputs(j)) for j in range(g.InputsLength())]
    outputs = [name(g.Outputs(j)) for j in range(g.OutputsLength())]
    if len(inputs) != 1:
        fail("expected one input")
    meta = {
        "graph": json.dumps(graph, separators=(",", ":")),
        "input": inputs[0],
        "input_shape": json.dumps(shape(g.Inputs(0))),
    }
    if len(outputs) == 1 and not concat:
        meta["output"] = outputs[0]
    elif set(outputs) == set(concat):
        meta["outputs"] = json.dumps({o: concat[o] for o in outputs}, separators=(",", ":"))
    else:
        fail("outputs must be one tensor, or each the concatenation of reshaped tensors")
    meta["source"] = source
    meta["layout"] = "conv OHWI, depthwise 1HWC, transpose_conv OHWI; activations NHWC in the original"
    safetensors_f16.write(dst, weights, meta)
    print(f"{dst}: {len(weights)} tensors, {len(graph)} operations")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3])
