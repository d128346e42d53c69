#!/usr/bin/env bash
# Fetch MediaPipe's selfie segmentation (npm @mediapipe/selfie_segmentation@0.1.1675465747,
# Apache-2.0), check it, convert selfie_segmentation.tflite to safetensors in models/selfie/
# (needs `pip install tflite==2.18.0`), and (with --fixtures) rebuild
# crates/vision/tests/fixtures/selfie_reference.json with MediaPipe's own graph (needs
# `pip install mediapipe==0.10.14 pillow numpy`; its bundled model has the same weights).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pack_sha="7767b33eaa68990ee06c28bbb89f39a13a47ebb07ff0f1fd4947d9e817bb9bf9"
tflite_sha="8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27"
(cd "$work" && npm pack --silent @mediapipe/selfie_segmentation@0.1.1675465747 >/dev/null)
sha256sum "$work"/mediapipe-selfie_segmentation-*.tgz | grep -q "^$pack_sha " \
  || { echo "@mediapipe/selfie_segmentation package checksum mismatch" >&2; exit 1; }
tar -xzf "$work"/mediapipe-selfie_segmentation-*.tgz -C "$work"
sha256sum "$work/package/selfie_segmentation.tflite" | grep -q "^$tflite_sha " \
  || { echo "selfie_segmentation.tflite checksum mismatch" >&2; exit 1; }
mkdir -p "$here/models/selfie"
python3 "$here/scripts/tflite/convert.py" "$work/package/selfie_segmentation.tflite" \
  "$here/models/selfie/selfie-segmentation.safetensors" \
  "@mediapipe/selfie_segmentation@0.1.1675465747 selfie_segmentation.tflite"
if [[ "${1:-}" == "--fixtures" ]]; then
  python3 "$here/scripts/selfie/reference.py" \
    "$here/crates/vision/tests/fixtures/selfie_reference.json"
fi
