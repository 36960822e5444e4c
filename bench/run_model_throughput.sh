#!/usr/bin/env bash
# Network throughput, side by side: bench_model_throughput (our LibTorch zoo networks) against
# bench/model_throughput.py (the same networks from tests/core/models/reference_nets.py in
# Python PyTorch), forward + backward + SGD step on a fixed random batch, run alternately so
# that machine noise hits both sides, then a table, the medians and their ratios.
#
#   bench/run_model_throughput.sh [BUILD_DIR]        (default: ./build)
#
# Builds nothing: cmake --build build --target bench_model_throughput first.
# Environment (defaults in brackets):
#   ROUNDS [3]       runs of each side; the order alternates (ours first in odd rounds)
#   ARCHS [resnet20,resnet8x4,wrn_16_2]
#   BATCH [64]       batch size (3 x 32 x 32 random images, 100 classes)
#   STEPS [20]       timed steps per network and run, after WARMUP [3] untimed ones
#   THREADS [nproc]  intra-op threads on both sides (torch.set_num_threads / at::set_num_threads)
#   MALLOC [default] default: glibc malloc as configured; tuned: MALLOC_MMAP_THRESHOLD_ and
#                    MALLOC_TRIM_THRESHOLD_ = 1 GiB for both sides, so freed activations stay in
#                    the heap instead of going back to the kernel (see docs/benchmarks.md)
#   PYTHON [/usr/bin/python3]   a Python with torch (Debian's python3-torch)
#   OUT [none]       also write every JSON line to this file
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-build}"
rounds="${ROUNDS:-3}"
archs="${ARCHS:-resnet20,resnet8x4,wrn_16_2}"
batch="${BATCH:-64}"
steps="${STEPS:-20}"
warmup="${WARMUP:-3}"
threads="${THREADS:-$(nproc)}"
python="${PYTHON:-/usr/bin/python3}"
malloc="${MALLOC:-default}"
case "$malloc" in
  default) ;;
  tuned) export MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 ;;
  *) echo "MALLOC must be default or tuned" >&2; exit 2 ;;
esac

ours="$build/bench/bench_model_throughput"
[ -x "$ours" ] || { echo "no $ours: build first (cmake --build $build --target bench_model_throughput)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null || { echo "$python cannot import torch (apt install python3-torch)" >&2; exit 2; }

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
common=(--archs "$archs" --threads "$threads" --batch-size "$batch" --steps "$steps" --warmup "$warmup")

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== busiest other processes:"
ps -eo pid,pcpu,comm --sort=-pcpu | head -4 | sed 's/^/   /'
echo "== $rounds rounds; $archs; batch $batch; $steps timed steps after $warmup; threads $threads; malloc $malloc"

run_ours() {
  echo "-- round $1: scns   $ours ${common[*]}" >&2
  "$ours" "${common[@]}" | sed "s/^{/{\"round\": $1, /" >> "$results"
}
run_python() {
  echo "-- round $1: python $python $here/model_throughput.py ${common[*]}" >&2
  "$python" "$here/model_throughput.py" "${common[@]}" | sed "s/^{/{\"round\": $1, /" >> "$results"
}

for ((r = 1; r <= rounds; ++r)); do
  if ((r % 2 == 1)); then run_ours "$r"; run_python "$r"; else run_python "$r"; run_ours "$r"; fi
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${OUT:-}" ] && cp "$results" "$OUT"

"$python" - "$results" <<'PYEOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print()
print("| round | network | implementation | threads | img/s | img/s (median step) |")
print("| ---: | --- | --- | ---: | ---: | ---: |")
for r in runs:
    name = ("scns (LibTorch %s)" if r["impl"] == "scns" else "PyTorch %s") % r["torch"]
    print("| %d | %s | %s | %d | %.1f | %.1f |" % (r["round"], r["arch"], name, r["threads"],
                                                  r["images_per_second"], r["median_step_images_per_second"]))
print()
print("| network | scns img/s (median of rounds) | PyTorch img/s | ratio scns/PyTorch |")
print("| --- | ---: | ---: | ---: |")
ratios = []
for arch in dict.fromkeys(r["arch"] for r in runs):
    o = statistics.median(r["images_per_second"] for r in runs if r["arch"] == arch and r["impl"] == "scns")
    p = statistics.median(r["images_per_second"] for r in runs if r["arch"] == arch and r["impl"] == "pytorch")
    ratios.append(o / p)
    print("| %s | %.1f | %.1f | %.3f |" % (arch, o, p, o / p))
g = statistics.geometric_mean(ratios)
print()
print("geometric mean ratio scns/PyTorch = %.3f (target >= 1.0: %s)" % (g, "met" if g >= 1.0 else "NOT met"))
PYEOF
