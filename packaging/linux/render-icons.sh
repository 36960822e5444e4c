#!/usr/bin/env bash
# Renders scns-workbench.svg into the PNG sizes the hicolor theme and the window icon use, into
# resources/icons/. Run after editing the SVG and commit the PNGs (needs rsvg-convert, Debian's
# librsvg2-bin; the build itself needs no SVG renderer).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../resources/icons"
mkdir -p "$out"
for size in 16 32 48 64 128 256; do
  rsvg-convert -w "$size" -h "$size" "$here/scns-workbench.svg" -o "$out/scns-workbench-$size.png"
done
echo "wrote $out/scns-workbench-{16,32,48,64,128,256}.png"
