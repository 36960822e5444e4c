#!/usr/bin/env bash
# One-command set-up for a fresh Debian 12 (bookworm) or 13 (trixie) machine, then one job:
#   packaging/setup.sh demo   install packages, build, open the workbench (scns-workbench) on the
#                             embedded Fashion-MNIST; without a display, train the small CNN for
#                             3 epochs with the CLI and write screenshots of the workbench instead
#   packaging/setup.sh test   install packages, build, replay the fuzz corpora under ASan+UBSan
#                             (clang, ./build-fuzz: the readers only), run the whole test suite
#                             with CTest; the output ends with the main suite's CTest summary
#   packaging/setup.sh build  install packages and build only
#   packaging/setup.sh packages  print the Debian packages this release needs, one a line
#                             (check-debian13-cuda.sh swaps the CPU LibTorch for the CUDA one)
# The Debian packages come from packaging/debian-packages.txt (the one list, with per-release
# names where they differ; the release is VERSION_CODENAME in /etc/os-release). Build output
# goes to ./build (override with SCNS_BUILD_DIR; the fuzz build's with SCNS_FUZZ_BUILD_DIR).
# SCNS_LIBTORCH=DIR builds everything against that LibTorch instead of Debian's libtorch-dev (which
# is then not installed), e.g. a CUDA one: the folder printed by
#   python3 -c 'import torch; print(torch.utils.cmake_prefix_path)'
# or an unpacked LibTorch zip; configure checks its C++ ABI against Qt's (docs/packaging.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${SCNS_BUILD_DIR:-$root/build}"
job="${1:-build}"
case "$job" in demo|test|build|packages) ;; *) echo "usage: $0 demo|test|build|packages" >&2; exit 2 ;; esac

# --- packages -------------------------------------------------------------------------
codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
case "$codename" in
  bookworm|trixie) ;;
  *) echo "== warning: release '${codename:-unknown}' is neither Debian 12 (bookworm) nor 13 (trixie);" \
          "using Debian 12's package names" >&2 ;;
esac
# Each line: NAME [CODENAME=OTHER ...]; OTHER "-" means nothing on that release.
mapfile -t wanted < <(sed -e 's/#.*//' "$here/debian-packages.txt" | awk -v rel="$codename" '
  NF == 0 { next }
  { name = $1
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == rel) name = kv[2] }
    if (name != "-") print name }')
if [ "$job" = packages ]; then
  printf '%s\n' "${wanted[@]}"
  exit 0
fi
# A LibTorch of the user's replaces Debian's: libtorch-dev is the one package not needed then.
if [ -n "${SCNS_LIBTORCH:-}" ]; then
  kept=()
  for p in "${wanted[@]}"; do [ "$p" = libtorch-dev ] || kept+=("$p"); done
  wanted=("${kept[@]}")
  echo "== building against the LibTorch in SCNS_LIBTORCH=$SCNS_LIBTORCH (libtorch-dev not installed)"
fi
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
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCNS_LIBTORCH="${SCNS_LIBTORCH:-}" >/dev/null
cmake --build "$build" -j "$jobs"

case "$job" in
  demo)
    db="${SCNS_DB:-$root/build/demo/runs.sqlite}"
    mkdir -p "$(dirname "$db")"
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/scns-workbench/scns-workbench" ]; then
      echo "== opening the workbench on the embedded Fashion-MNIST; runs stored in $db"
      echo "   (New run: Fashion-MNIST and the small CNN are preselected; press Launch)"
      exec "$build/app/scns-workbench/scns-workbench" --db "$db"
    fi
    echo "== no display (DISPLAY/WAYLAND_DISPLAY unset): training the small CNN on the embedded"
    echo "   Fashion-MNIST (3 epochs) with the CLI instead; runs stored in $db"
    "$build/app/scns/scns" --db "$db" train
    if [ -x "$build/app/scns-workbench/scns-workbench" ]; then
      shots="$(dirname "$db")/screenshots"
      QT_QPA_PLATFORM=offscreen "$build/app/scns-workbench/scns-workbench" --db "$db" --screenshots "$shots"
      echo "== the workbench's views of this run: $shots/*.png (open the workbench on a desktop with the same command)"
    fi
    ;;
  test)
    # Every committed fuzz corpus, replayed by the fuzz targets built with clang, libFuzzer,
    # ASan and UBSan (tests/fuzz, docs/reliability.md): only the readers' sources are compiled.
    fuzz_build="${SCNS_FUZZ_BUILD_DIR:-$root/build-fuzz}"
    echo "== fuzz corpus replay under ASan+UBSan ($fuzz_build)"
    fuzz_rc=0
    (cd "$root" && cmake --preset fuzz -B "$fuzz_build" >/dev/null) || fuzz_rc=$?
    [ $fuzz_rc -eq 0 ] && { cmake --build "$fuzz_build" -j "$jobs" || fuzz_rc=$?; }
    [ $fuzz_rc -eq 0 ] && { (cd "$fuzz_build" && ctest --output-on-failure -j "$jobs" --timeout 900) || fuzz_rc=$?; }
    [ $fuzz_rc -eq 0 ] || echo "== fuzz corpus replay FAILED (rc $fuzz_rc); the main suite runs anyway"
    cd "$build"
    rc=0
    ctest --output-on-failure -j 1 --timeout 900 || rc=$?
    [ $fuzz_rc -eq 0 ] || rc=1
    exit $rc
    ;;
esac
