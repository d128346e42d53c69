#!/usr/bin/env python3
"""Enhance probe: validation photos degraded by formulas written here, independently of the
training synthesis (numpy, linear-light gains, blends), then edited with generic and
named-problem requests through `retouch batch`; reports how much of each degradation the edit
removed (mean CIEDE2000 to the original, from `retouch metrics`), and the change to undegraded
photos. Needs pillow and numpy (pip) and a release build.

    python3 scripts/enhance-probe.py [--photos N] [--out DIR]
"""
import argparse, json, os, pathlib, subprocess, sys
import numpy as np
from PIL import Image

root = pathlib.Path(__file__).resolve().parent.parent
exe = root / "target/release/retouch"
cache = pathlib.Path(os.path.expanduser("~/.cache/instantretouch/photos"))

def lin(x): return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
def enc(x):
    x = np.clip(x, 0, 1)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * x ** (1 / 2.4) - 0.055)

def degrade(img, kind):
    x = img.astype(np.float64) / 255.0
    if kind == "under-1.5ev": y = enc(lin(x) * 2 ** -1.5)
    elif kind == "under-1ev": y = enc(lin(x) * 0.5)
    elif kind == "over+1ev": y = enc(lin(x) * 2.0)
    elif kind == "blue-cast": y = enc(lin(x) * np.array([0.72, 0.9, 1.25]))
    elif kind == "yellow-cast": y = enc(lin(x) * np.array([1.2, 1.05, 0.62]))
    elif kind == "flat": y = 0.55 * x + 0.45 * x.mean()
    elif kind == "dull":
        l = (x * [0.299, 0.587, 0.114]).sum(-1, keepdims=True); y = l + 0.4 * (x - l)
    elif kind == "none": y = x
    return (np.clip(y, 0, 1) * 255 + 0.5).astype(np.uint8)

GENERIC = ["enhance", "make it look better", "fix this photo", "auto", "make it look professional"]
NAMED = {"under-1.5ev": "it's too dark", "under-1ev": "too dark", "over+1ev": "it's overexposed",
         "blue-cast": "remove the blue cast", "yellow-cast": "there's a yellow cast",
         "flat": "it looks flat", "dull": "the colours are dull"}

def de(a, b):
    out = subprocess.run([str(exe), "metrics", str(a), str(b), "--json"], capture_output=True, text=True)
    return json.loads(out.stdout)["to_reference"]["ciede2000"] if out.returncode == 0 else None

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--photos", type=int, default=12)
    ap.add_argument("--out", default="/tmp/enhance-probe"); a = ap.parse_args()
    out = pathlib.Path(a.out); out.mkdir(parents=True, exist_ok=True)
    man = [json.loads(l) for l in open(cache / "manifest.jsonl")]
    val = [m for m in man if m["split"] == "validation" and min(m["width"], m["height"]) >= 300][: a.photos]
    jobs, cases = [], []
    for i, m in enumerate(val):
        img = np.array(Image.open(cache / m["file"]).convert("RGB"))
        # 512 px on the long side, as the benchmark.
        h, w = img.shape[:2]; s = 512 / max(h, w)
        if s < 1: img = np.array(Image.fromarray(img).resize((round(w * s), round(h * s)), Image.LANCZOS))
        orig = out / f"{i}-orig.png"; Image.fromarray(img).save(orig)
        for kind in list(NAMED) + ["none"]:
            d = out / f"{i}-{kind}.png"; Image.fromarray(degrade(img, kind)).save(d)
            asks = [("generic", g) for g in GENERIC[:2]] + ([("named", NAMED[kind])] if kind in NAMED else [])
            for j, (mode, text) in enumerate(asks):
                o = out / f"{i}-{kind}-{mode}{j}.png"
                jobs.append({"input": str(d), "instruction": text, "output": str(o)})
                cases.append((i, kind, mode, text, orig, d, o))
    (out / "jobs.jsonl").write_text("\n".join(json.dumps(j) for j in jobs) + "\n")
    subprocess.run([str(exe), "batch", str(out / "jobs.jsonl"), "--overwrite"], check=False)
    rows = []
    for (i, kind, mode, text, orig, d, o) in cases:
        if not o.exists(): continue
        before, after = de(orig, d), de(orig, o)
        rows.append(dict(kind=kind, mode=mode, text=text, before=before, after=after))
    (out / "results.json").write_text(json.dumps(rows, indent=1))
    print("| degradation | request | cases | closer to original | degradation removed (mean) | mean ΔE00 before -> after |")
    print("|---|---|---|---|---|---|")
    for mode in ["generic", "named"]:
        for kind in list(NAMED) + ["none"]:
            r = [x for x in rows if x["kind"] == kind and x["mode"] == mode]
            if not r: continue
            if kind == "none":
                print(f"| none | {mode} | {len(r)} | - | - | 0 -> {np.mean([x['after'] for x in r]):.2f} |"); continue
            closer = np.mean([x["after"] < x["before"] for x in r]) * 100
            removed = np.mean([1 - x["after"] / x["before"] for x in r]) * 100
            print(f"| {kind} | {mode} | {len(r)} | {closer:.0f} % | {removed:.0f} % | {np.mean([x['before'] for x in r]):.2f} -> {np.mean([x['after'] for x in r]):.2f} |")
    for mode in ["generic", "named"]:
        r = [x for x in rows if x["mode"] == mode and x["kind"] != "none"]
        if r:
            print(f"all degraded, {mode}: {np.mean([x['after'] < x['before'] for x in r])*100:.0f} % closer, "
                  f"{np.mean([1 - x['after']/x['before'] for x in r])*100:.0f} % removed on average ({len(r)} cases)")

main()
