#!/usr/bin/env python3
"""Reference masks of MediaPipe's selfie segmentation, made by MediaPipe itself, for the Rust
parity test (crates/vision/tests/selfie_parity.rs).

Runs the original graph (`mediapipe.solutions.selfie_segmentation`, model_selection=0: the
256x256 general model, XNNPACK on the CPU; pip mediapipe==0.10.14, whose bundled
selfie_segmentation.tflite holds the same 110 weight tensors, byte for byte, as the npm
package's file that the product ships) on exact 256x256 crops of committed photos, so that
neither side resamples: the graph scales the crop to [0, 1], runs the network and returns the
mask at the crop's size. The fixture keeps every 4th row and column of each mask (64 x 64
values) and the mean of the full mask.

usage: reference.py OUT.json
"""
import json
import os
import sys

import numpy as np
from PIL import Image
import mediapipe as mp

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, "..", "..", "assets", "photos")
# (photo, left, top): a portrait's head and shoulders, and a cat (no person).
CROPS = [("astronaut.png", 128, 0), ("astronaut.png", 0, 200), ("chelsea.png", 60, 20)]
SIDE = 256
STEP = 4


def main(out):
    cases = []
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        for photo, left, top in CROPS:
            rgb = np.array(Image.open(os.path.join(PHOTOS, photo)).convert("RGB"))
            crop = np.ascontiguousarray(rgb[top:top + SIDE, left:left + SIDE])
            assert crop.shape == (SIDE, SIDE, 3), (photo, crop.shape)
            mask = seg.process(crop).segmentation_mask.astype(np.float64)
            assert mask.shape == (SIDE, SIDE)
            cases.append({
                "photo": photo, "left": left, "top": top, "side": SIDE, "step": STEP,
                "mean": round(float(mask.mean()), 7),
                "mask": [round(float(v), 6) for v in mask[::STEP, ::STEP].ravel()],
            })
            print(f"{photo} @{left},{top}: mean {mask.mean():.4f}", file=sys.stderr)
    with open(out, "w") as f:
        json.dump({"source": "mediapipe==0.10.14 solutions.selfie_segmentation model 0",
                   "cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
