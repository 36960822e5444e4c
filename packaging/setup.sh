#!/usr/bin/env bash
# One-command set-up for a fresh Debian 12 machine, then one job:
#   packaging/setup.sh demo   install packages, build, train the small CNN on the embedded
#                             Fashion-MNIST for 3 epochs and print the result
#   packaging/setup.sh test   install packages, build, run the whole test suite with CTest
#   packaging/setup.sh build  install packages and build only
# The Debian packages come from packaging/debian-packages.txt (the one list). Build output
# goes to ./build (override with SCNS_BUILD_DIR).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${SCNS_BUILD_DIR:-$root/build}"
job="${1:-build}"
case "$job" in demo|test|build) ;; *) echo "usage: $0 demo|test|build" >&2; exit 2 ;; esac

# --- packages -------------------------------------------------------------------------
mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt" | awk '{print $1}')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- build ----------------------------------------------------------------------------
jobs="$(nproc)"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs"

case "$job" in
  demo)
    db="${SCNS_DB:-$root/build/demo/runs.sqlite}"
    echo "== training the small CNN on the embedded Fashion-MNIST (3 epochs); runs stored in $db"
    "$build/app/scns/scns" --db "$db" train
    ;;
  test)
    cd "$build"
    ctest --output-on-failure -j 1 --timeout 900
    ;;
esac
