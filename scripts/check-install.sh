#!/usr/bin/env bash
# CI: install `retouch` with scripts/install.sh, move the source tree out of reach, and
# edit a photo and read a sentence with the installed binary alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
bash "$root/scripts/install.sh" "$work/prefix"
cp "$root/assets/photos/coffee.png" "$work/coffee.png"
away="$root.out-of-reach.$$"
cd "$work"
mv "$root" "$away"
trap 'mv "$away" "$root"' EXIT
"$work/prefix/bin/retouch" edit "$work/coffee.png" "warmer, lift the shadows" -o "$work/out.jpg" --json > "$work/report.json"
test -s "$work/out.jpg"
"$work/prefix/bin/retouch" read "gjør bildet mørkere" | grep -q "brightness:down"
# A folder without the models is an error that says where it looked.
if RETOUCH_MODELS="$work/nowhere" "$work/prefix/bin/retouch" edit "$work/coffee.png" warmer -o "$work/x.jpg" 2> "$work/err"; then
  echo "expected an error without models" >&2
  exit 1
fi
grep -q "$work/nowhere" "$work/err"
echo "installed binary works without the source tree"
