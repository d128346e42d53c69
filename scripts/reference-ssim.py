#!/usr/bin/env python3
"""Reference values for retouch-metrics' fidelity SSIM, from scikit-image.

Writes small PNG pairs cut from the fixture photos (with deterministic edits) and the values
scikit-image gives for them to crates/metrics/tests/fixtures/ssim/. Run once:

    python3 -m venv /tmp/skenv && /tmp/skenv/bin/pip install scikit-image==0.25.2 pillow
    /tmp/skenv/bin/python scripts/reference-ssim.py
"""
import json
import pathlib

import numpy as np
import skimage
from PIL import Image
from skimage.color import rgb2gray
from skimage.exposure import match_histograms
from skimage.metrics import structural_similarity

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "crates/metrics/tests/fixtures/ssim"
out.mkdir(parents=True, exist_ok=True)


def load(name, box):
    return np.asarray(Image.open(root / "assets/photos" / name).convert("RGB").crop(box))


def save(name, arr):
    Image.fromarray(arr.astype(np.uint8)).save(out / name)


rng = np.random.default_rng(2026)
coffee = load("coffee.png", (200, 100, 360, 220))
chelsea = load("chelsea.png", (100, 50, 260, 170))
pairs = {
    "gamma": (coffee, np.clip(255 * (coffee / 255.0) ** 0.7 + 0.5, 0, 255)),
    "noise": (coffee, np.clip(coffee + rng.normal(0, 12, coffee.shape) + 0.5, 0, 255)),
    "warm": (chelsea, np.clip(chelsea * np.array([1.08, 1.0, 0.85]) + 0.5, 0, 255)),
    "shift": (chelsea, np.roll(chelsea, 2, axis=1)),
}
ref = {"scikit_image": skimage.__version__, "pairs": []}
for name, (a, b) in pairs.items():
    save(f"{name}_a.png", a)
    save(f"{name}_b.png", b)
    fa = np.asarray(Image.open(out / f"{name}_a.png"), dtype=np.float64) / 255.0
    fb = np.asarray(Image.open(out / f"{name}_b.png"), dtype=np.float64) / 255.0
    ga, gb = rgb2gray(fa), rgb2gray(fb)
    kw = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)
    ref["pairs"].append(
        {
            "name": name,
            "ssim_gray": float(structural_similarity(ga, gb, **kw)),
            "fidelity_ssim": float(structural_similarity(ga, match_histograms(gb, ga), **kw)),
        }
    )
(out / "reference.json").write_text(json.dumps(ref, indent=2) + "\n")
print(json.dumps(ref, indent=2))
