#!/usr/bin/env python3
"""Reference values for retouch-metrics' CW-SSIM and GMSD, from published implementations.

- GMSD: `piq.gmsd` (piq 0.8.0), on one gray channel in [0, 1].
- CW-SSIM: the complex steerable pyramid of `pyrtools` 1.1.1 (`SteerablePyramidFreq`, the
  Python port of Simoncelli's matlabPyrTools `buildSCFpyr`), pooled exactly as the authors'
  MATLAB `cwssim_index(img1, img2, 4, 8, 0, 0)`: coarsest level's 8 bands, 7x7 box 'valid',
  (2|c| + K) / (v + K) with K = 0, Gaussian weights fspecial('gaussian', size, rows / 4),
  mean over orientations.
- The gray + histogram-matching steps are scikit-image's (as for the SSIM fixtures).

Uses the SSIM fixture pairs (crates/metrics/tests/fixtures/ssim, from reference-ssim.py) plus
two larger pairs written here (one with odd sides). Run once:

    python3 -m venv /tmp/fenv && /tmp/fenv/bin/pip install scikit-image==0.25.2 pillow \
        piq==0.8.0 pyrtools==1.1.1 torch
    /tmp/fenv/bin/python scripts/reference-fidelity.py
"""
import json
import pathlib

import numpy as np
import piq
import pyrtools
import skimage
import torch
from PIL import Image
from skimage.color import rgb2gray
from skimage.exposure import match_histograms

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "crates/metrics/tests/fixtures"
out = fixtures / "fidelity"
out.mkdir(parents=True, exist_ok=True)


def fspecial_gaussian(shape, sigma):
    m, n = [(s - 1.0) / 2.0 for s in shape]
    y, x = np.ogrid[-m : m + 1, -n : n + 1]
    h = np.exp(-(x * x + y * y) / (2.0 * sigma * sigma))
    h[h < np.finfo(h.dtype).eps * h.max()] = 0
    return h / h.sum()


def box_valid(x, k=7):
    h, w = x.shape
    acc = np.zeros((h - k + 1, w - k + 1), dtype=x.dtype)
    for dy in range(k):
        for dx in range(k):
            acc += x[dy : dy + h - k + 1, dx : dx + w - k + 1]
    return acc / (k * k)


def cw_ssim(a, b, level=4, ori=8, K=0.0):
    pa = pyrtools.pyramids.SteerablePyramidFreq(a, height=level, order=ori - 1, is_complex=True)
    pb = pyrtools.pyramids.SteerablePyramidFreq(b, height=level, order=ori - 1, is_complex=True)
    scores = []
    for o in range(ori):
        b1 = pa.pyr_coeffs[(level - 1, o)]
        b2 = pb.pyr_coeffs[(level - 1, o)]
        corr = box_valid(b1 * np.conj(b2))
        varr = box_valid(np.abs(b1) ** 2 + np.abs(b2) ** 2)
        cmap = (2 * np.abs(corr) + K) / (varr + K)
        w = fspecial_gaussian(cmap.shape, b1.shape[0] / 4.0)
        scores.append(float((cmap * w).sum()))
    return float(np.mean(scores))


def gmsd(a, b):
    t = lambda v: torch.from_numpy(np.ascontiguousarray(v)).to(torch.float64)[None, None]
    return float(piq.gmsd(t(a), t(b), data_range=1.0))


def load(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255.0


def photo(name, box):
    return np.asarray(Image.open(root / "assets/photos" / name).convert("RGB").crop(box))


# Two larger pairs: a tone curve plus blur-free local contrast change, and odd sides with a
# 1-pixel shift and mild noise.
rng = np.random.default_rng(7)
astro = photo("astronaut.png", (100, 40, 356, 232))  # 256 x 192
coffee = photo("coffee.png", (150, 60, 351, 190))  # 201 x 129 (odd)
own = {
    "curve": (astro, np.clip(255 * np.sin(np.pi / 2 * astro / 255.0) ** 1.3 + 0.5, 0, 255)),
    "oddshift": (
        coffee,
        np.clip(np.roll(coffee, 1, axis=0) + rng.normal(0, 4, coffee.shape) + 0.5, 0, 255),
    ),
}
for name, (a, b) in own.items():
    Image.fromarray(a.astype(np.uint8)).save(out / f"{name}_a.png")
    Image.fromarray(b.astype(np.uint8)).save(out / f"{name}_b.png")

pairs = [("ssim", n) for n in ["gamma", "noise", "warm", "shift"]] + [
    ("fidelity", n) for n in own
]
ref = {
    "scikit_image": skimage.__version__,
    "piq": piq.__version__,
    "pyrtools": pyrtools.__version__,
    "pairs": [],
}
for folder, name in pairs:
    fa = load(fixtures / folder / f"{name}_a.png")
    fb = load(fixtures / folder / f"{name}_b.png")
    ga, gb = rgb2gray(fa), rgb2gray(fb)
    gm = match_histograms(gb, ga)
    ref["pairs"].append(
        {
            "folder": folder,
            "name": name,
            "cw_ssim_gray": cw_ssim(ga, gb),
            "gmsd_gray": gmsd(ga, gb),
            "fidelity_cw_ssim": cw_ssim(ga, gm),
            "fidelity_gmsd": gmsd(ga, gm),
        }
    )
(out / "reference.json").write_text(json.dumps(ref, indent=2) + "\n")
print(json.dumps(ref, indent=2))
