#!/usr/bin/env bash
# Install `retouch` for use outside this checkout: PREFIX/bin/retouch and its models in
# PREFIX/share/instantretouch/models, where the binary looks for them (see
# crates/locate/src/lib.rs for the whole search order). PREFIX defaults to ~/.local.
#   bash scripts/install.sh [PREFIX]
set -euo pipefail
prefix="${1:-$HOME/.local}"
root="$(cd "$(dirname "$0")/.." && pwd)"
# Reuse this checkout's release build when there is one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo install --locked --path "$root/crates/cli" --root "$prefix"
dest="$prefix/share/instantretouch/models"
# Copy beside the destination, then swap: an interrupted install leaves the old models whole.
tmp="$dest.new.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cp -R "$root/models/." "$tmp/"
if [ -d "$dest" ]; then
  mv "$dest" "$dest.old.$$"
fi
mv "$tmp" "$dest"
rm -rf "$dest.old.$$"
echo "installed $prefix/bin/retouch (models in $dest)"
