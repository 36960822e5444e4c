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
#                    the heap instead of going back to the kernel (see docs/benchmarks.md);
#                    scns-only: the same for our side only (what mallopt() at start-up in scns
#                    would give, against stock PyTorch)
#   PYTHON [/usr/bin/python3]   a Python with torch (Debian's python3-torch)
#   QUIET_WAIT [0]   before each run, wait up to this many seconds for a quiet second (all
#                    CPUs together under 15% busy, measured from /proc/stat); 0: do not wait
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
tuned_env=(MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824)
ours_env=() python_env=()
case "$malloc" in
  default) ;;
  tuned) ours_env=("${tuned_env[@]}"); python_env=("${tuned_env[@]}") ;;
  scns-only) ours_env=("${tuned_env[@]}") ;;
  *) echo "MALLOC must be default, tuned or scns-only" >&2; exit 2 ;;
esac

ours="$build/bench/bench_model_throughput"
[ -x "$ours" ] || { echo "no $ours: build first (cmake --build $build --target bench_model_throughput)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null || { echo "$python cannot import torch (apt install python3-torch)" >&2; exit 2; }

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
quiet_wait="${QUIET_WAIT:-0}"
common=(--threads "$threads" --batch-size "$batch" --steps "$steps" --warmup "$warmup")

busy_share() {  # share of all CPUs busy over one second, in percent
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 1
  read -r -a b < <(head -1 /proc/stat)
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for ((i = 1; i < ${#a[@]}; ++i)); do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
wait_quiet() {
  ((quiet_wait > 0)) || return 0
  local start=$SECONDS busy
  while :; do
    busy=$(busy_share)
    ((busy < 15)) && { echo "   (quiet: ${busy}% busy)" >&2; return 0; }
    ((SECONDS - start >= quiet_wait)) && { echo "   (no quiet second in ${quiet_wait}s; ${busy}% busy)" >&2; return 0; }
  done
}

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== busiest other processes:"
ps -eo pid,pcpu,comm --sort=-pcpu | head -4 | sed 's/^/   /'
echo "== $rounds rounds; $archs; batch $batch; $steps timed steps after $warmup; threads $threads; malloc $malloc"

run_ours() {  # round arch
  wait_quiet
  echo "-- round $1: scns   ${ours_env[*]} $ours --archs $2 ${common[*]}" >&2
  env "${ours_env[@]}" "$ours" --archs "$2" "${common[@]}" | sed "s/^{/{\"round\": $1, /" >> "$results"
}
run_python() {
  wait_quiet
  echo "-- round $1: python ${python_env[*]} $python $here/model_throughput.py --archs $2 ${common[*]}" >&2
  env "${python_env[@]}" "$python" "$here/model_throughput.py" --archs "$2" "${common[@]}" | sed "s/^{/{\"round\": $1, /" >> "$results"
}

IFS=, read -r -a arch_list <<< "$archs"
for ((r = 1; r <= rounds; ++r)); do
  for arch in "${arch_list[@]}"; do
    if ((r % 2 == 1)); then run_ours "$r" "$arch"; run_python "$r" "$arch"; else run_python "$r" "$arch"; run_ours "$r" "$arch"; fi
  done
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
print("Medians over rounds; \"median step\" is each run's median step, which a stray burst of")
print("other work on the machine moves less than the run's total.")
print()
print("| network | scns img/s | PyTorch img/s | ratio | scns img/s (median step) | PyTorch (median step) | ratio (median step) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
ratios, step_ratios = [], []
for arch in dict.fromkeys(r["arch"] for r in runs):
    def med(impl, key):
        return statistics.median(r[key] for r in runs if r["arch"] == arch and r["impl"] == impl)
    o, p = med("scns", "images_per_second"), med("pytorch", "images_per_second")
    os_, ps = med("scns", "median_step_images_per_second"), med("pytorch", "median_step_images_per_second")
    ratios.append(o / p)
    step_ratios.append(os_ / ps)
    print("| %s | %.1f | %.1f | %.3f | %.1f | %.1f | %.3f |" % (arch, o, p, o / p, os_, ps, os_ / ps))
g, gs = statistics.geometric_mean(ratios), statistics.geometric_mean(step_ratios)
print()
print("geometric mean ratio scns/PyTorch = %.3f, by median step %.3f (target >= 1.0: %s)"
      % (g, gs, "met" if min(g, gs) >= 1.0 else "NOT met"))
PYEOF
