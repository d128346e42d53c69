#!/bin/sh
# Loss ablation on a short schedule (1200 steps each, same seed and data as the shipped config):
# base (L1 + smoothness + gamut), + alignment, + alignment + structural, and the last with the
# matcher's attribute vector as extra conditioning (net.attr_dim). Prints a Markdown table
# of the final validation (held-out photos, held-out phrasings).
#   scripts/ablation.sh [OUT_DIR]        (default out/ablation; needs the photo cache)
set -eu
out="${1:-out/ablation}"
cargo build --release --quiet
for name in base alignment alignment-structural attributes; do
    if [ ! -f "$out/$name/model.safetensors" ]; then
        ./target/release/retouch train --config "configs/ablation/$name.json" --out "$out/$name"
    fi
done
echo "| losses | PSNR dB | restore PSNR dB | ΔE00 | direction accuracy | fidelity SSIM |"
echo "|---|---|---|---|---|---|"
for name in base alignment alignment-structural attributes; do
    grep '"validation"' "$out/$name/log.jsonl" | tail -1 | python3 -c "
import json, sys
v = json.loads(sys.stdin.read())['validation']
print('| $name | %.2f | %.2f | %.2f | %.1f%% | %.4f |' % (v['psnr'], v['psnr_restore'], v['ciede2000'], 100 * v['direction_accuracy'], v['fidelity_ssim']))"
done
