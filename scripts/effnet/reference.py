#!/usr/bin/env python3
"""Reference outputs of EfficientNet-Lite0 for the Rust port's parity test.

Runs the original implementation (PyPI `efficientnet_lite_pytorch==0.1.0`, lukemelas' code with
TF "same" padding, on torch) with the weights of our safetensors file (the f16-rounded copy the
product ships, widened to f32), on exact crops of committed photos (no resampling, so the Rust
test builds bit-identical inputs), and writes logits, pooled head features and the mean of each
stage's output as JSON.

usage: reference.py MODEL.safetensors OUT.json   (run by scripts/fetch-effnet.sh --fixtures)
"""
import json
import struct
import sys

import numpy as np
import torch
from PIL import Image
from efficientnet_lite_pytorch import EfficientNet

HERE = __file__.rsplit("/", 3)[0]
# (photo, top, left, height, width): one square crop at the network's native 224 and one
# non-square crop at another size (the padding then differs from 224's).
CASES = [("chelsea.png", 38, 113, 224, 224), ("coffee.png", 150, 200, 128, 176)]
STAGE_ENDS = [0, 2, 4, 7, 10, 14, 15]  # index of the last block of each of the 7 stages


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        a, b = v["data_offsets"]
        arr = np.frombuffer(raw[base + a:base + b], dtype="<f2").astype(np.float32)
        out[name] = torch.from_numpy(arr.reshape(v["shape"]).copy())
    return out


def main():
    weights = load_safetensors(sys.argv[1])
    cases = []
    for photo, top, left, h, w in CASES:
        model = EfficientNet.from_name("efficientnet-lite0", image_size=(h, w))
        model.load_state_dict(weights, strict=True)
        model.eval()
        rgb = np.asarray(Image.open(f"{HERE}/assets/photos/{photo}").convert("RGB"), dtype=np.float32)
        crop = rgb[top:top + h, left:left + w]
        x = torch.from_numpy((crop - 127.0) / 128.0).permute(2, 0, 1)[None].contiguous()
        stages = []
        with torch.no_grad():
            y = model._swish(model._bn0(model._conv_stem(x)))
            for i, block in enumerate(model._blocks):
                y = block(y)
                if i in STAGE_ENDS:
                    stages.append(y.mean(dim=(2, 3))[0].tolist())
            head = model._swish(model._bn1(model._conv_head(y)))
            pooled = head.mean(dim=(2, 3))
            logits = model._fc(pooled)[0]
        top5 = logits.topk(5).indices.tolist()
        cases.append({"photo": photo, "top": top, "left": left, "height": h, "width": w,
                      "top5": top5, "logits": logits.tolist(), "pooled": pooled[0].tolist(),
                      "stage_means": stages})
        print(f"{photo} {h}x{w}: top-5 classes {top5}")
    with open(sys.argv[2], "w") as f:
        json.dump({"source": "efficientnet_lite_pytorch==0.1.0 on torch " + torch.__version__,
                   "normalisation": "(rgb - 127) / 128", "cases": cases}, f)


if __name__ == "__main__":
    main()
