#!/usr/bin/env bash
# Builds the NCCL path of data-parallel runs (docs/distributed.md, "Backends and devices")
# against Debian 13's LibTorch with CUDA, on a machine without a GPU: a compile-and-link check,
# nothing of it runs on a GPU here.
#   packaging/check-debian13-cuda.sh
# 1. Makes (or reuses) a trixie root in SCNS_DEBIAN13_CUDA_DIR (default
#    /var/tmp/scns-debian13-cuda) with packaging/check-debian13.sh, enables Debian's contrib and
#    non-free components there and installs this release's packages (`packaging/setup.sh
#    packages`) with LibTorch's CUDA build in place of the CPU one: libtorch-cuda-dev and
#    libgloo-cuda-dev for libtorch-dev and libgloo-dev, with libnccl-dev and nvidia-cuda-toolkit
#    (python3-torch, which conflicts, is left out).
#    cuDNN: Debian's nvidia-cudnn downloads it from NVIDIA while it is installed, which a machine
#    with only Debian's archive cannot do; a stand-in package takes its name. Nothing here
#    includes cuDNN's headers, and the links allow libtorch_cuda's undefined cuDNN symbols.
#    So that the programs start, a libcudnn.so.9 is made in the root whose functions (the ones
#    libtorch_cuda names) all answer CUDNN_STATUS_NOT_INITIALIZED: nothing calls them on a CPU.
# 2. Configures core, the CLI and the tests (no GUI, no benchmarks) into the root's
#    /build/scns-cuda, requires configure's "NCCL: ..." line, builds scns and the tests of the
#    process group, the data-parallel trainer and the settings, and requires that scns links
#    c10d::ProcessGroupNCCL.
# 3. Runs those tests on the CPU (there is no GPU here): a build with NCCL behaves as one
#    without on CPU tensors, and takes its NCCL branches where the tests check them.
# Exits 0 when all of that holds. Needs root (or sudo), like check-debian13.sh; about 2.3 GB of
# packages the first time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "${1:-}" != --inside ]; then
  export SCNS_DEBIAN13_DIR="${SCNS_DEBIAN13_CUDA_DIR:-/var/tmp/scns-debian13-cuda}"
  exec "$here/check-debian13.sh" --run "packaging/check-debian13-cuda.sh --inside"
fi

# --- inside the trixie root, in the checkout ----------------------------------------------
export DEBIAN_FRONTEND=noninteractive
build=/build/scns-cuda
if ! grep -q '^deb .* trixie main contrib non-free' /etc/apt/sources.list 2>/dev/null; then
  echo "deb http://deb.debian.org/debian trixie main contrib non-free non-free-firmware" > /etc/apt/sources.list
  rm -f /etc/apt/sources.list.d/debian.sources
fi
if ! dpkg-query -W -f='${Status}' nvidia-cudnn 2>/dev/null | grep -q "install ok installed"; then
  echo "== a stand-in for nvidia-cudnn (its installer downloads cuDNN from NVIDIA)"
  stand_in="$(mktemp -d)"
  mkdir -p "$stand_in/nvidia-cudnn/DEBIAN"
  cat > "$stand_in/nvidia-cudnn/DEBIAN/control" <<'EOF'
Package: nvidia-cudnn
Version: 0~scns.stand.in
Architecture: amd64
Maintainer: SCNS Workbench compile check <nobody@invalid>
Description: stand-in for cuDNN's downloader (packaging/check-debian13-cuda.sh); holds nothing
EOF
  dpkg-deb --build "$stand_in/nvidia-cudnn" "$stand_in/nvidia-cudnn.deb" >/dev/null
  dpkg -i "$stand_in/nvidia-cudnn.deb"
  rm -rf "$stand_in"
fi
mapfile -t wanted < <(packaging/setup.sh packages | sed -e 's/^libtorch-dev$/libtorch-cuda-dev/' \
  -e 's/^libgloo-dev$/libgloo-cuda-dev/' -e '/^python3-torch$/d')
wanted+=(libnccl-dev nvidia-cuda-toolkit)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${#missing[@]} packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cudnn=/usr/lib/x86_64-linux-gnu/libcudnn.so.9
if [ ! -e "$cudnn" ]; then
  echo "== $cudnn: the cuDNN functions libtorch_cuda names, each answering CUDNN_STATUS_NOT_INITIALIZED"
  stub="$(mktemp -d)"
  nm -D --undefined-only /usr/lib/x86_64-linux-gnu/libtorch_cuda.so \
    | sed -n 's/^ *U \(cudnn[A-Za-z0-9_]*\)@libcudnn.so.9$/int \1(void) { return 1; }/p' | sort -u > "$stub/cudnn.c"
  echo 'libcudnn.so.9 { global: *; };' > "$stub/cudnn.map"
  gcc -shared -fPIC -o "$cudnn" "$stub/cudnn.c" -Wl,-soname,libcudnn.so.9 -Wl,--version-script,"$stub/cudnn.map"
  rm -rf "$stub"
fi

echo "== configure ($build): $(dpkg-query -W -f='libtorch-cuda-dev ${Version}, ' libtorch-cuda-dev)$(dpkg-query -W -f='libnccl-dev ${Version}' libnccl-dev)"
mkdir -p "$build"
if ! cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCNS_BUILD_UI=OFF -DSCNS_BUILD_BENCH=OFF \
  -DCMAKE_EXE_LINKER_FLAGS=-Wl,--allow-shlib-undefined > "$build.configure.log" 2>&1; then
  tail -30 "$build.configure.log"
  echo "FAILED: configure (see $build.configure.log)" >&2
  exit 1
fi
grep -E '^-- (LibTorch|NCCL)' "$build.configure.log" || true
grep -q '^-- NCCL: .*nccl.h' "$build.configure.log" \
  || { echo "FAILED: configure did not find NCCL (see $build.configure.log)" >&2; exit 1; }
tests=(test_dist_process_group test_dist_trainer test_run_config)
echo "== build: scns ${tests[*]}"
cmake --build "$build" --target scns "${tests[@]}"
# (grep reads all of nm's output: with -q it would stop early, and pipefail would see nm's SIGPIPE)
if ! nm -C --undefined-only "$build/app/scns/scns" | grep 'c10d::ProcessGroupNCCL::ProcessGroupNCCL' >/dev/null; then
  echo "FAILED: scns does not call c10d::ProcessGroupNCCL's constructor" >&2
  exit 1
fi
echo "== built: core, scns and the tests link against the CUDA LibTorch, and scns links ProcessGroupNCCL"
echo "== the tests, on the CPU"
(cd "$build" && ctest --output-on-failure -R "^($(IFS='|'; echo "${tests[*]}"))\$")
