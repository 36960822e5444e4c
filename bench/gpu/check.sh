#!/usr/bin/env bash
# The GPU check of issue 13 ("Measure it"), one script for one run on a machine with an NVIDIA
# GPU, CUDA, CMake, a compiler and a pip PyTorch 2.x, but no Qt, no -dev packages, no data sets
# and no network (docs/benchmarks.md, "GPU (issue 13)"). From the repository root:
#
#   bench/gpu/prepare-deps.sh                  # once, on a Debian 12 machine: build-gpu-deps/
#   OUT=/some/folder bench/gpu/check.sh        # on the GPU machine, build-gpu-deps/ carried
#   bench/gpu/check.sh --cpu                   # the same on a CPU (Debian's LibTorch): a smoke run
#
# 1. Configures and builds core, the CLI (scns), the benchmarks and the core tests into
#    build-gpu (build-gpu-cpu with --cpu) against that machine's LibTorch
#    (torch.utils.cmake_prefix_path; Debian's /usr with --cpu), with SQLite, zlib, turbojpeg,
#    nlohmann-json, CLI11 and Qt 6 Core/Test taken from the carried Debian packages
#    (build-gpu-deps/deps.tar.xz, unpacked into <build>/deps).
# 2. Measures, ours against PyTorch on the same device, each side in its own process:
#    a. training images/s of resnet8x4 and wrn_16_2 at batch 64 and 256 in fp32 and bf16
#       (bench_model_throughput vs bench/model_throughput.py);
#    b. one CRD step at K = 16,384, resnet32x4 -> resnet8x4, batch 64, NCE form
#       (bench_crd_step --path pieces and --path term vs bench/crd_step.py);
#    c. where the negatives are made: host loops + copy vs tensor draws on the device
#       (bench_sampler_cost --draws);
#    d. for each, the share of the timed window in which the GPU ran no kernel, from
#       nvidia-smi's utilization.gpu sampled every 50 ms (idle = 1 - mean utilisation).
#    e. a data-parallel run of 2 processes (`scns train --nproc-per-node 2`): on one GPU shared
#       through Gloo, and with NCCL where there are two GPUs or more (on a CPU: Gloo); whether it
#       finished, and its last line, go to gpu-results.md's notes.
# 3. Runs the core tests with SCNS_TEST_DEVICE=cuda (cpu with --cpu; there only a few), each
#    capped at PER_TEST_TIMEOUT seconds; failures do not stop anything.
# Measurements come before the test build so that a slow build or a hanging test cannot cost
# them; every phase is bounded by what is left of BUDGET_S.
#
# Writes to $OUT (default <build>/out), at most 8 files (what the GPU machine can send back):
#   gpu-results.md   the tables (ours vs PyTorch, idle shares), the machine, the test summary
#   results.jsonl    every benchmark's JSON line, with "label", "gpu_idle" and "gpu_samples"
#   nvidia-smi.csv   label,timestamp,utilization.gpu of every sample taken
#   ctest.txt        the core tests' output
#   build.txt        configure and build output
#   env.txt          machine, compiler, CUDA, PyTorch, what came from the carried folder
#   check.log        this script's own log
#
# Environment (defaults in brackets; GPU mode / --cpu where they differ):
#   SCNS_GPU_CHECK_DEVICE [cuda / cpu]  the device; cpu is the same as --cpu
#   BUDGET_S [560 / 0 = none]  wall-clock seconds for everything; phases that would overrun are
#                              cut short or skipped, and say so in gpu-results.md
#   JOBS [nproc]  build jobs;  PYTHON [python3 / /usr/bin/python3] a Python with torch
#   THREADS [4 / 2]  intra-op threads on both sides
#   STEPS [100 / 2], WARMUP [30 / 1], MIN_SECONDS [2 / 0]  timed steps, warm-up steps, and the
#                              least timed seconds per measurement (more steps until reached)
#   CRD_K [16384 / 2048]  negatives of the CRD step
#   BATCHES ["64 256"], PRECISIONS ["fp32 bf16"], CHANNELS_LAST ["0"] ("0 1": both layouts)
#   PER_TEST_TIMEOUT [120 / 300]  seconds; CTEST_JOBS [8 / 1]
#   CPU_TESTS ["test_memory_bank test_info_nce test_semantic_wordnet"]  the tests of --cpu
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo" || exit 2

device="${SCNS_GPU_CHECK_DEVICE:-cuda}"
for a in "$@"; do
  case "$a" in
    --cpu) device=cpu ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "check.sh: unknown argument '$a' (--cpu or nothing)" >&2; exit 2 ;;
  esac
done
if [ "$device" = cpu ]; then
  gpu=0; build="$repo/build-gpu-cpu"
  budget="${BUDGET_S:-0}"; threads="${THREADS:-2}"; steps="${STEPS:-2}"; warmup="${WARMUP:-1}"
  min_seconds="${MIN_SECONDS:-0}"; crd_k="${CRD_K:-2048}"; per_test="${PER_TEST_TIMEOUT:-300}"
  ctest_jobs="${CTEST_JOBS:-1}"; python="${PYTHON:-/usr/bin/python3}"
else
  gpu=1; build="$repo/build-gpu"
  budget="${BUDGET_S:-560}"; threads="${THREADS:-4}"; steps="${STEPS:-100}"; warmup="${WARMUP:-30}"
  min_seconds="${MIN_SECONDS:-2}"; crd_k="${CRD_K:-16384}"; per_test="${PER_TEST_TIMEOUT:-120}"
  ctest_jobs="${CTEST_JOBS:-8}"; python="${PYTHON:-python3}"
fi
jobs="${JOBS:-$(nproc)}"
batches="${BATCHES:-64 256}"
precisions="${PRECISIONS:-fp32 bf16}"
layouts="${CHANNELS_LAST:-0}"
cpu_tests="${CPU_TESTS:-test_memory_bank test_info_nce test_semantic_wordnet}"
archs="resnet8x4,wrn_16_2"
out="${OUT:-$build/out}"
mkdir -p "$out" "$build/check-tmp" || exit 2
out="$(cd "$out" && pwd)"
tmp="$build/check-tmp"
rm -f "$tmp"/*.jsonl "$tmp"/*.csv "$tmp"/notes.txt
: > "$out/build.txt"
exec > >(tee "$out/check.log") 2>&1

t0=$SECONDS
note() { echo "$*" | tee -a "$tmp/notes.txt"; }   # lines that gpu-results.md repeats
say() { printf '== [%4ds] %s\n' "$((SECONDS - t0))" "$*"; }
left() {  # seconds left of the budget (a large number when there is none)
  if ((budget > 0)); then echo $((budget - (SECONDS - t0))); else echo 999999; fi
}
# timeout for a phase: at most $1 s (0: no cap), never past the budget minus a $2 s reserve
bounded() {
  local cap=$1 reserve=$2 l
  l=$(( $(left) - reserve ))
  ((cap > 0 && cap < l)) && l=$cap
  echo $((l < 1 ? 1 : l))
}

say "mode: device $device, build folder ${build#$repo/}, out $out, budget ${budget}s (0: none), $jobs jobs"
# ccache (CMakeLists.txt uses it when found): unchanged files hit the cache on the next run.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$repo")}"

# --- the machine ---------------------------------------------------------------------------
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "host: $(uname -srm); $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown OS}")"
  echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "compiler: $(c++ --version 2>/dev/null | head -1)"
  echo "cmake: $(cmake --version 2>/dev/null | head -1); ninja: $(ninja --version 2>/dev/null || echo none); ccache: $(ccache --version 2>/dev/null | head -1 || echo none)"
  echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo none)"
  if command -v nvidia-smi >/dev/null; then
    echo "gpu: $(nvidia-smi --query-gpu=index,name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | head -4)"
  else
    echo "gpu: no nvidia-smi"
  fi
  echo "python: $python -> $("$python" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "cxx11abi", torch.compiled_with_cxx11_abi())' 2>&1 | tail -1)"
} > "$out/env.txt"
cat "$out/env.txt"

fail_summary() {  # write gpu-results.md for a run that cannot measure anything, then stop
  {
    echo "# GPU check: stopped before measuring"
    echo
    echo "$1"
    echo
    echo '```'
    cat "$out/env.txt"
    echo '```'
    [ -s "$tmp/notes.txt" ] && { echo; sed 's/^/- /' "$tmp/notes.txt"; }
  } > "$out/gpu-results.md"
  say "STOPPED: $1"
  exit 1
}
# Without our build the PyTorch side is still measured: ours=0 and a note say why.
ours=1
ours_fail() { ours=0; note "NOT BUILT, ours not measured, core tests not run: $1"; }

"$python" -c 'import torch' 2>/dev/null \
  || fail_summary "'$python -c \"import torch\"' failed: set PYTHON to a Python with PyTorch (nothing can be measured)."

# --- the carried Debian packages -------------------------------------------------------------
archive="$repo/build-gpu-deps/deps.tar.xz"
deps="$build/deps"
D="$deps/root"
multiarch=x86_64-linux-gnu
L="$D/usr/lib/$multiarch"
ld="$deps/ld"
run_ld="$ld"
unpack() {
  [ -f "$archive" ] || { ours_fail "no ${archive#$repo/}: run bench/gpu/prepare-deps.sh on a Debian 12 machine (apt access) and carry build-gpu-deps/ (qt6-base-dev, libqt6test6, libicu72, libsqlite3-dev, zlib1g-dev, libturbojpeg0-dev, nlohmann-json3-dev, libcli11-dev, wordnet-base, dataset-fashion-mnist and their libraries)"; return 1; }
  local stamp
  stamp="$(stat -c '%s %Y' "$archive")"
  [ "$(cat "$deps/.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  say "unpacking ${archive#$repo/} into ${deps#$repo/}"
  rm -rf "$deps" && mkdir -p "$deps"
  if command -v xz >/dev/null; then
    tar -C "$deps" -xJf "$archive" || { ours_fail "could not unpack $archive (tar -xJf)"; return 1; }
  else  # no xz binary: Python's tarfile reads xz
    "$python" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$deps" \
      || { ours_fail "could not unpack $archive (no xz; Python's tarfile failed too)"; return 1; }
  fi
  echo "$stamp" > "$deps/.stamp"
}
unpack
mkdir -p "$ld"
if ((ours)); then
  # Run-time libraries: a carried one is used only where the machine lacks its soname, so no
  # system program (compiler, cmake, python) gets an older zlib or zstd; with --cpu every
  # carried one is used, to prove the folder on this Debian 12 machine.
  rm -rf "$ld" && mkdir -p "$ld"
  have_sonames="$( { ldconfig -p 2>/dev/null | awk '{print $1}'
                    ls /lib/$multiarch /usr/lib/$multiarch /lib64 /usr/lib64 /usr/local/lib 2>/dev/null; } | sort -u)"
  carried_used=() carried_skipped=()
  for so in "$L"/*.so.[0-9]*; do
    name="$(basename "$so")"
    # sonames only: libfoo.so.N (the files behind them are libfoo.so.N.M...)
    [[ "$name" =~ ^(.+\.so\.[0-9]+)$ ]] || continue
    if ((gpu == 0)) || ! grep -qxF "$name" <<< "$have_sonames"; then
      ln -s "$so" "$ld/$name"; carried_used+=("$name")
    else
      carried_skipped+=("$name")
    fi
  done
  echo "carried libraries used: ${carried_used[*]:-none}" >> "$out/env.txt"
  echo "carried libraries not used (the machine has them): ${carried_skipped[*]:-none}" >> "$out/env.txt"
  # WordNet: through SCNS_WORDNET_DIR (core/semantic/wordnet.cpp).
  export SCNS_WORDNET_DIR="$D/usr/share/wordnet"
  # Fashion-MNIST: core reads /usr/share/datasets/fashion-mnist and nothing else
  # (core/data/fashion_mnist.cpp); where it is missing and writable (root on the GPU machine),
  # link the carried copy there.
  fm_sys=/usr/share/datasets/fashion-mnist fm="$D/usr/share/datasets/fashion-mnist"
  if [ -e "$fm_sys/t10k-images-idx3-ubyte.gz" ]; then
    if cmp -s "$fm_sys/t10k-images-idx3-ubyte.gz" "$fm/t10k-images-idx3-ubyte.gz"; then
      echo "fashion-mnist: the machine's $fm_sys (same files as the carried copy)" >> "$out/env.txt"
    else
      echo "fashion-mnist: the machine's $fm_sys (differs from the carried copy)" >> "$out/env.txt"
    fi
  elif mkdir -p "$(dirname "$fm_sys")" 2>/dev/null && ln -sfn "$fm" "$fm_sys" 2>/dev/null; then
    echo "fashion-mnist: linked $fm_sys -> the carried copy" >> "$out/env.txt"
  else
    note "Fashion-MNIST: $fm_sys is missing and cannot be created here: the tests that read it fail."
  fi
  [ -e "$fm/train-images-idx3-ubyte.gz" ] || note "Fashion-MNIST's training images were not carried (prepare-deps.sh --without-fashion-train): test_data_idx_reader's realFashionMnist fails."
fi

# --- configure -------------------------------------------------------------------------------
if ((gpu)); then
  libtorch="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null | tail -1)"
  # The pip LibTorch's CMake files look for the CUDA toolkit (nvcc on PATH, else the usual
  # folder); name the GPU's architecture so they need not detect it (no CUDA code is compiled).
  command -v nvcc >/dev/null || { [ -x /usr/local/cuda/bin/nvcc ] && export PATH="$PATH:/usr/local/cuda/bin"; }
  export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"
  # CMake 4 refuses package files that ask for a policy level below 3.5; this lets them through.
  export CMAKE_POLICY_VERSION_MINIMUM="${CMAKE_POLICY_VERSION_MINIMUM:-3.5}"
else
  libtorch=/usr   # Debian's libtorch-dev (CPU)
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake_args=(-S "$repo" -B "$build" "${generator[@]}"
  -DSCNS_LIBTORCH="$libtorch" -DSCNS_BUILD_UI=OFF -DSCNS_BUILD_TESTS=ON -DSCNS_BUILD_BENCH=ON
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH="$D/usr;$L/cmake"
  -DQt6_DIR="$L/cmake/Qt6"
  -DCMAKE_LIBRARY_PATH="$L" -DCMAKE_INCLUDE_PATH="$D/usr/include"
  -DSCNS_PYTHON="$(command -v "$python")")
if ((ours)); then
  say "configure: cmake ${cmake_args[*]}"
  echo "### cmake ${cmake_args[*]}" >> "$out/build.txt"
  LD_LIBRARY_PATH="$run_ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    timeout "$(bounded 300 120)" cmake "${cmake_args[@]}" >> "$out/build.txt" 2>&1
  rc=$?
  if ((rc != 0)); then
    tail -40 "$out/build.txt"
    missing="$(grep -hoE "Could NOT find [A-Za-z0-9_]+|Could not find a package configuration file provided by \"[A-Za-z0-9_]+\"|By not providing \"Find[A-Za-z0-9_]+\.cmake\"|[A-Za-z0-9_]+-NOTFOUND|No CMAKE_CXX_COMPILER could be found|CUDA[A-Za-z_ ]*not found|Failed to find nvrtc|Caffe2: Cannot find [^ ]+|includes non-existent path[^\"]*\"[^\"]+\"|does not exist" "$out/build.txt" | sort -u | head -8 | paste -sd ';' -)"
    ours_fail "CMake configure failed (exit $rc). Missing or failing: ${missing:-see build.txt}. The carried folder provides SQLite3, ZLIB, nlohmann_json, CLI11, turbojpeg and Qt6 Core/Test under ${D#$repo/}; LibTorch comes from $libtorch."
  fi
fi
if ((ours)); then
  # Where each dependency was found: the carried folder or the machine.
  {
    echo "found (from CMakeCache.txt):"
    for v in Torch_DIR Qt6_DIR Qt6Core_DIR Qt6Test_DIR SQLite3_INCLUDE_DIR SQLite3_LIBRARY ZLIB_INCLUDE_DIR ZLIB_LIBRARY_RELEASE \
             nlohmann_json_DIR CLI11_DIR TURBOJPEG_INCLUDE_DIR TURBOJPEG_LIBRARY SCNS_PYTHON; do
      val="$(grep -m1 "^$v:" "$build/CMakeCache.txt" | cut -d= -f2-)"
      case "$val" in "$D"*) from=carried ;; "") from="-" ;; *) from=machine ;; esac
      printf '  %-22s %-8s %s\n' "$v" "$from" "${val/#$D/<carried>}"
    done
  } | tee -a "$out/env.txt"
  # Which process groups this LibTorch lets core build (docs/distributed.md): Gloo, and NCCL for
  # GPU tensors; test_dist_process_group then runs its collectives on the GPU.
  if grep -q 'gloo/algorithm.h not found' "$out/build.txt"; then
    note "data-parallel: this LibTorch has no Gloo headers, so no process group is built (no test_dist_*)"
  else
    note "data-parallel: Gloo; $(grep -m1 '^-- NCCL: ' "$out/build.txt" | sed 's/^-- //')"
  fi
  if ((gpu == 0)) && grep -E '^  (Qt6_DIR|Qt6Core_DIR|Qt6Test_DIR|SQLite3_|ZLIB_|nlohmann|CLI11|TURBOJPEG)' "$out/env.txt" | grep -q ' machine '; then
    fail_summary "--cpu: a dependency was found on the machine, not in the carried folder (env.txt): the carried folder is incomplete."
  fi
fi
# Cap each core test's TIMEOUT property (set by tests/CMakeLists.txt, which ctest --timeout
# does not override) in the generated CTest files of this build folder.
if ((ours)) && [ -d "$build/tests/core" ]; then
  "$python" - "$build/tests/core" "$per_test" <<'PYEOF'
import pathlib, re, sys
cap = int(sys.argv[2])
for f in pathlib.Path(sys.argv[1]).rglob("CTestTestfile.cmake"):
    s = f.read_text()
    f.write_text(re.sub(r'TIMEOUT "(\d+)"', lambda m: 'TIMEOUT "%d"' % min(int(m.group(1)), cap), s))
PYEOF
fi

# --- build: what the measurements need first -------------------------------------------------
build_targets() {  # label cap-seconds reserve-seconds targets...
  local label=$1 cap=$2 reserve=$3; shift 3
  local keep=()
  [ ${#generator[@]} -gt 0 ] && keep=(-- -k 0) || keep=(-- -k)
  say "build $label: $*"
  echo "### build $label: $*" >> "$out/build.txt"
  local attempt rc=1
  for attempt in 1 2; do
    LD_LIBRARY_PATH="$run_ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      timeout "$(bounded "$cap" "$reserve")" cmake --build "$build" -j "$jobs" --target "$@" "${keep[@]}" >> "$out/build.txt" 2>&1
    rc=$?
    ((rc == 0)) && break
    # A core file may be mid-edit on a development machine: --cpu waits and tries once more.
    ((gpu == 0 && attempt == 1)) || break
    say "build $label failed (exit $rc); retrying in 120 s"; sleep 120
  done
  ((rc == 0)) || { grep -E 'error|FAILED' "$out/build.txt" | tail -15; note "build $label: exit $rc (build.txt)"; }
  return $rc
}
ours_tp="$build/bench/bench_model_throughput"
ours_crd="$build/bench/bench_crd_step"
ours_draws="$build/bench/bench_sampler_cost"
# No stale benchmark from an earlier run is measured: they are relinked (cheap) or absent.
rm -f "$ours_tp" "$ours_crd" "$ours_draws"
((ours)) && build_targets "for the measurements" 0 $((gpu ? 200 : 0)) scns bench_model_throughput bench_crd_step bench_sampler_cost

# --- measurements ----------------------------------------------------------------------------
smi=0
if ((gpu)) && command -v nvidia-smi >/dev/null; then smi=1; fi
gpu_index=0
[[ "$device" =~ ^cuda:([0-9]+)$ ]] && gpu_index="${BASH_REMATCH[1]}"
sampler_pid=""
start_sampler() {  # label
  ((smi)) || return 0
  nvidia-smi -i "$gpu_index" --query-gpu=timestamp,utilization.gpu --format=csv,noheader,nounits -lms 50 \
    > "$tmp/smi-$1.csv" 2>/dev/null &
  sampler_pid=$!
}
stop_sampler() {
  [ -n "$sampler_pid" ] || return 0
  kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null; sampler_pid=""
}
trap 'stop_sampler' EXIT
# One measurement: label, then the command; its JSON lines go to results, tagged with the label.
measure() {
  local label=$1; shift
  local l
  if (( $(left) < 25 )); then note "skipped $label: out of time"; return 0; fi
  l=$(bounded $((gpu ? 120 : 0)) 10)
  say "measure $label: $*"
  start_sampler "$label"
  local rc
  if [[ "$1" == "$build"* ]]; then
    LD_LIBRARY_PATH="$run_ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" timeout "$l" "$@" > "$tmp/run.jsonl" 2> "$tmp/run.err"
  else
    PYTHONUNBUFFERED=1 timeout "$l" "$@" > "$tmp/run.jsonl" 2> "$tmp/run.err"
  fi
  rc=$?
  stop_sampler
  cat "$tmp/run.jsonl"
  if ((rc != 0)); then
    tail -5 "$tmp/run.err"
    note "$label: exit $rc: $(grep -v '^\s*$' "$tmp/run.err" | tail -1 | cut -c1-300)"
  fi
  sed "s/^{/{\"label\": \"$label\", /" "$tmp/run.jsonl" | grep '^{' >> "$tmp/results.jsonl"
  [ -f "$tmp/smi-$label.csv" ] && sed "s/^/$label,/" "$tmp/smi-$label.csv" >> "$tmp/nvidia-smi.csv"
  return 0
}
common=(--threads "$threads" --steps "$steps" --warmup "$warmup" --min-seconds "$min_seconds")
if ((ours)) && { [ ! -x "$ours_tp" ] || [ ! -x "$ours_crd" ]; }; then
  note "not built: $( [ -x "$ours_tp" ] || echo bench_model_throughput) $( [ -x "$ours_crd" ] || echo bench_crd_step) (build.txt): only the PyTorch side of those is measured"
fi
for cl in $layouts; do
  for prec in $precisions; do
    for b in $batches; do
      tag="b$b-$prec$([ "$cl" = 1 ] && echo -cl)"
      args=(--archs "$archs" --batch-size "$b" --device "$device" --precision "$prec" --channels-last "$cl" "${common[@]}")
      [ -x "$ours_tp" ] && measure "tp-scns-$tag" "$ours_tp" "${args[@]}"
      measure "tp-pytorch-$tag" "$python" "$here/../model_throughput.py" "${args[@]}"
    done
  done
done
crd_args=(--device "$device" --negatives "$crd_k" --batch-size 64 "${common[@]}")
for prec in $precisions; do
  [ -x "$ours_crd" ] && measure "crd-scns-$prec" "$ours_crd" --path pieces --precision "$prec" "${crd_args[@]}"
  measure "crd-pytorch-$prec" "$python" "$here/../crd_step.py" --precision "$prec" "${crd_args[@]}"
done
[ -x "$ours_crd" ] && measure "crd-scns-term-fp32" "$ours_crd" --path term --precision fp32 "${crd_args[@]}"
[ -x "$ours_draws" ] && measure "draws-scns" "$ours_draws" --draws "$device" --threads "$threads" --repeats "$((gpu ? 50 : 3))"

# --- data-parallel runs on the device (issue 14) ------------------------------------------------
# `scns train --nproc-per-node 2`: small-cnn, 1 epoch of 100 images a class, the class sampler
# (memory-bank rows and the class table exchanged between the processes). On one GPU both
# processes share it through Gloo (NCCL wants a GPU per process); with two or more, NCCL too.
dist_run() {  # label device backend
  local label=$1 dev=$2 backend=$3 db="$tmp/$1.sqlite" rc t
  if ((ours == 0)) || [ ! -x "$build/app/scns/scns" ]; then return 0; fi
  if (( $(left) < 60 )); then note "skipped $label: out of time"; return 0; fi
  rm -rf "$db" "$db".*
  say "data-parallel run $label: 2 processes, device $dev, distributed.backend $backend"
  t=$SECONDS
  LD_LIBRARY_PATH="$run_ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" timeout -k 5 "$(bounded 150 40)" \
    "$build/app/scns/scns" --db "$db" train --nproc-per-node 2 --device "$dev" --dist-backend "$backend" \
    --arch small-cnn --epochs 1 --train-per-class 100 --test-per-class 50 --batch-size 64 --sampler class \
    --negatives 256 --threads 2 > "$tmp/$label.log" 2>&1
  rc=$?
  tail -3 "$tmp/$label.log"
  note "$label (2 processes on $dev, $backend): exit $rc after $((SECONDS - t)) s: $(grep -v '^\s*$' "$tmp/$label.log" | tail -1 | cut -c1-300)"
}
if ((gpu)); then
  gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
  dist_run dist-gloo-one-gpu "cuda:$gpu_index" gloo
  if ((gpus >= 2)); then
    dist_run dist-nccl cuda nccl
  else
    note "dist-nccl: not run (NCCL wants a GPU per process; this machine has ${gpus:-0})"
  fi
else
  dist_run dist-cpu cpu auto
fi

summarize() {
  cp "$tmp/nvidia-smi.csv" "$out/nvidia-smi.csv" 2>/dev/null || : > "$out/nvidia-smi.csv"
  "$python" "$here/summarize.py" --results "$tmp/results.jsonl" --smi "$out/nvidia-smi.csv" \
    --env "$out/env.txt" --ctest "$out/ctest.txt" --notes "$tmp/notes.txt" --mode "$device" \
    --jsonl-out "$out/results.jsonl" --md-out "$out/gpu-results.md" \
    || { say "summarize.py failed"; cp "$tmp/results.jsonl" "$out/results.jsonl" 2>/dev/null; }
}
: > "$out/ctest.txt"
touch "$tmp/results.jsonl" "$tmp/notes.txt"
summarize
say "measurements done; $out/gpu-results.md written"

# --- core tests --------------------------------------------------------------------------------
tests=()
if ((ours == 0)); then
  :
elif ((gpu)); then
  mapfile -t tests < <(ctest --test-dir "$build/tests/core" -N 2>/dev/null | sed -nE 's/^ *Test +#[0-9]+: ([A-Za-z0-9_]+)$/\1/p')
else
  read -r -a tests <<< "$cpu_tests"
fi
if ((ours == 0)); then
  :
elif ((${#tests[@]} == 0)); then
  note "no core tests found in ${build#$repo/}/tests/core (Qt 6 Test not found at configure?)"
elif (( $(left) < 60 )); then
  note "core tests not built: out of time"
else
  build_targets "core tests" 0 $((gpu ? 45 : 0)) "${tests[@]}"
  built=()
  for t in "${tests[@]}"; do
    [ -n "$(find "$build/tests" -type f -name "$t" -perm -u+x -print -quit)" ] && built+=("$t")
  done
  ((${#built[@]} < ${#tests[@]})) && note "core tests: ${#built[@]} of ${#tests[@]} built; not built: $(comm -23 <(printf '%s\n' "${tests[@]}" | sort) <(printf '%s\n' "${built[@]}" | sort) | paste -sd' ' -)"
  if ((${#built[@]} > 0)); then
    regex="^($(IFS='|'; echo "${built[*]}"))\$"
    tlimit=$(bounded 0 15)
    stop=()  # ctest's own stop time (a time of day), only under a budget
    ((budget > 0)) && stop=(--stop-time "$(date -d "+$((tlimit > 10 ? tlimit - 5 : tlimit)) seconds" +%H:%M:%S)")
    within=$( ((budget > 0)) && echo "whole run within ${tlimit}s" || echo "no overall limit")
    test_device=$([ "$gpu" = 1 ] && echo "$device" || echo cpu)
    say "ctest: ${#built[@]} tests, SCNS_TEST_DEVICE=$test_device, -j $ctest_jobs, each at most ${per_test}s, $within"
    {
      echo "### SCNS_TEST_DEVICE=$test_device ctest --test-dir ${build#$repo/} -R '$regex' -j $ctest_jobs --output-on-failure (TIMEOUT capped at ${per_test}s; $within)"
      SCNS_TEST_DEVICE="$test_device" LD_LIBRARY_PATH="$run_ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        timeout -k 5 "$tlimit" ctest --test-dir "$build" -R "$regex" -j "$ctest_jobs" --output-on-failure "${stop[@]}" 2>&1
      echo "### ctest exit $?"
    } > "$out/ctest.txt"
    grep -E "tests passed|tests failed|\*\*\*Failed|\*\*\*Timeout|Not Run|Exception" "$out/ctest.txt" | tail -30
  fi
fi
summarize
say "done in $((SECONDS - t0)) s (load average now: $(cut -d' ' -f1-3 /proc/loadavg)); results in $out"
((ours)) || exit 1
