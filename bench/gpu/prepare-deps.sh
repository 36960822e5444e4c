#!/usr/bin/env bash
# Gathers what bench/gpu/check.sh needs on a GPU machine that has CUDA, CMake, a compiler and a
# pip PyTorch but no Qt, no -dev packages, no data sets and no network: Debian 12 (bookworm)
# packages, fetched here with `apt-get download`, unpacked with `dpkg -x`, pruned to what the
# core, the CLI, the core tests and the benchmarks use, and packed into one archive:
#
#   build-gpu-deps/deps.tar.xz     root/usr/... of the unpacked packages (xz: the ICU data and
#                                  WordNet shrink 4-5x, and the transfer to the GPU machine is
#                                  limited to 64 MiB with the working tree)
#   build-gpu-deps/MANIFEST.txt    packages and versions; sizes unpacked, pruned and packed
#
# check.sh unpacks the archive into its build folder (build-gpu/deps), so the carried folder
# stays small however often it runs. `/build*/` in .gitignore covers build-gpu-deps/.
#
# Run from anywhere on a Debian 12 machine that reaches Debian's archive (apt-get update first
# if the package lists are old):
#
#   bench/gpu/prepare-deps.sh [--without-fashion-train]
#
#   --without-fashion-train   leave out Fashion-MNIST's training images (26 MB of the ~50 MiB,
#                             already gzip'd) when the transfer budget is short; then the core
#                             tests that read the training split (test_data_idx_reader's
#                             realFashionMnist) fail on the GPU machine
# Environment: LIMIT_MIB [60] refuse a carried folder larger than this.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/build-gpu-deps"
limit_mib="${LIMIT_MIB:-60}"
with_train=1
for a in "$@"; do
  case "$a" in
    --without-fashion-train) with_train=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "prepare-deps.sh: unknown argument '$a' (see --help)" >&2; exit 2 ;;
  esac
done

command -v apt-get >/dev/null && command -v dpkg >/dev/null || { echo "needs apt-get and dpkg (Debian 12)" >&2; exit 2; }
[ "$(dpkg --print-architecture)" = amd64 ] || { echo "the GPU machine is x86-64: run this on an amd64 Debian" >&2; exit 2; }

# What CMakeLists.txt finds (SQLite3, ZLIB, nlohmann_json, CLI11, turbojpeg; Threads is the
# compiler's), what the core tests link (Qt 6 Core and Test, moc for AUTOMOC; qmake6 for the
# mkspecs/linux-g++ folder that Qt6::Core names as an include directory) with the run-time
# libraries of libQt6Core.so.6 (`apt-cache depends libqt6core6`, `ldd`), and the data the core
# tests read (Fashion-MNIST at /usr/share/datasets/fashion-mnist, WordNet 3.0 through
# SCNS_WORDNET_DIR). libglib2.0-0, libpcre2-8-0, libzstd1, zlib1g and libgomp1 are on every
# usual Linux; check.sh uses the carried copies only where the machine lacks that soname.
packages=(
  nlohmann-json3-dev libcli11-dev libsqlite3-dev libsqlite3-0 zlib1g-dev zlib1g
  libturbojpeg0-dev libturbojpeg0
  qt6-base-dev qt6-base-dev-tools qmake6 libqt6core6 libqt6test6
  libicu72 libdouble-conversion3 libpcre2-16-0 libb2-1 libglib2.0-0 libpcre2-8-0 libzstd1 libgomp1
  dataset-fashion-mnist wordnet-base
)

stage="$(mktemp -d /tmp/scns-gpu-deps.XXXXXX)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/debs" "$stage/root"
chmod 777 "$stage/debs"  # apt's download user (_apt) writes there when run as root
echo "== apt-get download ${#packages[@]} packages"
(cd "$stage/debs" && apt-get download -q "${packages[@]}") 2>&1 | grep -v '^W: Download is performed unsandboxed' || {
  echo "apt-get download failed: run 'apt-get update' (or check the names above) and retry" >&2; exit 1; }
for deb in "$stage"/debs/*.deb; do
  dpkg -x "$deb" "$stage/root"
done
r="$stage/root"
raw_kib=$(du -sk "$r" | cut -f1)

# bookworm puts some libraries under /lib (zlib1g, libzstd1, ...): merge them into /usr/lib as
# a merged-/usr system has them, then make absolute links relative to the unpacked root.
if [ -d "$r/lib" ] && [ ! -L "$r/lib" ]; then
  cp -a "$r/lib/." "$r/usr/lib/"
  rm -rf "${r:?}/lib"
fi
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  case "$target" in
    /lib/*) target="/usr$target" ;;
  esac
  case "$target" in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$r$target")" "$link" ;;
  esac
done < <(find "$r" -type l -print0)

# Prune: documentation, static libraries, the Qt modules other than Core and Test, the rest of
# GLib, ICU's test and tool libraries (and, if asked, Fashion-MNIST's training images).
a=usr/lib/x86_64-linux-gnu
pruned=(usr/share/doc usr/share/man usr/share/lintian usr/share/bug usr/share/doc-base usr/share/glib-2.0
        usr/share/qt6 "$a/glib-2.0" "$a/gio" "$a/libicutest.so"* "$a/libicutu.so"*
        usr/lib/qt6/bin/qdbuscpp2xml usr/lib/qt6/bin/qdbusxml2cpp usr/lib/qt6/libexec/qvkgen usr/lib/qt6/libexec/uic)
for p in "${pruned[@]}"; do rm -rf "${r:?}/"$p; done
find "$r/$a" -maxdepth 1 -name '*.a' -delete
find "$r/$a" -maxdepth 1 \( -name 'libgio-2.0.so*' -o -name 'libgobject-2.0.so*' -o -name 'libgmodule-2.0.so*' \
  -o -name 'libgthread-2.0.so*' \) -delete
for d in "$r/$a"/cmake/Qt6*; do
  case "$(basename "$d")" in
    Qt6|Qt6Core|Qt6CoreTools|Qt6Test|Qt6HostInfo|Qt6BuildInternals) ;;
    *) rm -rf "$d" ;;
  esac
done
for d in "$r"/usr/include/x86_64-linux-gnu/qt6/*; do
  case "$(basename "$d")" in
    QtCore|QtTest) ;;
    *) rm -rf "$d" ;;
  esac
done
find "$r/$a/qt6/metatypes" -type f ! -name 'qt6core_*' ! -name 'qt6test_*' -delete 2>/dev/null || true
find "$r/$a/qt6/modules" -type f ! -name 'Core.json' ! -name 'Test.json' -delete 2>/dev/null || true
find "$r/$a/qt6/plugins" -mindepth 1 -delete 2>/dev/null || true
for d in "$r/$a"/qt6/mkspecs/*/; do
  case "$(basename "$d")" in
    common|linux-g++|features|modules) ;;
    *) rm -rf "$d" ;;
  esac
done
find "$r" -xtype l -delete  # links to what was pruned or never fetched (libQt6Widgets.so, ...)
# Qt6CoreTools' import check insists on every tool it lists existing; qmake6 is in another
# package's binary (qmake6-bin) and is never run here: a stub that says so stands in for it.
if [ ! -e "$r/usr/bin/x86_64-linux-gnu-qmake6" ]; then
  printf '#!/bin/sh\necho "qmake6 is not carried (bench/gpu/prepare-deps.sh); CMake only checks that it exists" >&2\nexit 1\n' \
    > "$r/usr/bin/x86_64-linux-gnu-qmake6"
  chmod +x "$r/usr/bin/x86_64-linux-gnu-qmake6"
fi
fm="$r/usr/share/datasets/fashion-mnist"
if ((with_train == 0)); then
  rm -f "$fm/train-images-idx3-ubyte.gz"
fi
for need in "$a/libQt6Core.so.6" "$a/qt6/mkspecs/linux-g++/qplatformdefs.h" "$a/libQt6Test.so.6" "$a/libicudata.so.72" usr/lib/qt6/libexec/moc \
            usr/include/sqlite3.h usr/include/turbojpeg.h usr/include/zlib.h usr/include/nlohmann/json.hpp \
            usr/include/CLI/CLI.hpp usr/share/wordnet/data.noun usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz; do
  [ -e "$r/$need" ] || { echo "prepare-deps.sh: expected $need in the unpacked packages, found none" >&2; exit 1; }
done
pruned_kib=$(du -sk "$r" | cut -f1)

echo "== packing (xz)"
rm -rf "$out"
mkdir -p "$out"
tar -C "$stage" -cf - root | xz -6 -T0 > "$out/deps.tar.xz"
{
  echo "# bench/gpu/prepare-deps.sh, $(date -u '+%Y-%m-%d %H:%M UTC') on $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "# unpacked $((raw_kib / 1024)) MiB, pruned $((pruned_kib / 1024)) MiB, packed $(( $(stat -c %s "$out/deps.tar.xz") / 1024 / 1024 )) MiB"
  echo "# Fashion-MNIST training images: $([ "$with_train" = 1 ] && echo carried || echo 'not carried (--without-fashion-train)')"
  for deb in "$stage"/debs/*.deb; do
    dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"
  done
} > "$out/MANIFEST.txt"
cat "$out/MANIFEST.txt"
size_kib=$(du -sk "$out" | cut -f1)
tree_kib=$(cd "$repo" && { git ls-files -z; git ls-files -z --others --exclude-standard; } | du -ck --files0-from=- 2>/dev/null | tail -1 | cut -f1)
echo "== $out: $((size_kib / 1024)) MiB ($size_kib KiB); the working tree that travels with it: $((tree_kib / 1024)) MiB"
if ((size_kib > limit_mib * 1024)); then
  echo "prepare-deps.sh: $out is over LIMIT_MIB=$limit_mib MiB" >&2
  exit 1
fi
if ((size_kib + tree_kib > 64 * 1024)); then
  echo "prepare-deps.sh: warning: carried folder + working tree exceed the 64 MiB transfer limit" >&2
fi
