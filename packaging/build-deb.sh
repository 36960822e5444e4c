#!/usr/bin/env bash
# Builds the Debian packages of this release into build/deb/ (SCNS_BUILD_DIR/deb):
#   scns_VERSION~debN_amd64.deb            the command line, man page, bash completion, class tables
#   scns-workbench_VERSION~debN_amd64.deb  the desktop program, .desktop entry, icons, AppStream
# Installs the build packages (packaging/debian-packages.txt) and builds first, like
# `packaging/setup.sh build`, in the same build folder (so it is incremental), then runs CPack.
# The packages depend on this release's LibTorch and Qt: build on Debian 12 for Debian 12, on
# Debian 13 for Debian 13 (packaging/check-deb.sh does both and install-tests them).
# Install them with:  sudo apt install ./build/deb/*.deb
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${SCNS_BUILD_DIR:-$root/build}"

"$here/setup.sh" build
# dpkg-shlibdeps (which CPack calls to name the runtime packages) reads ELF files through `file`.
command -v file >/dev/null && command -v dpkg-shlibdeps >/dev/null || {
  echo "$0: needs 'file' and 'dpkg-shlibdeps' (packages file, dpkg-dev)" >&2; exit 1; }

rm -rf "$build/deb"
(cd "$build" && cpack -G DEB -C Release)
rm -rf "$build/deb/_CPack_Packages"
echo "== packages in $build/deb:"
ls -1 "$build/deb"/*.deb
