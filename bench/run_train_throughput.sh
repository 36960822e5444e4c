#!/usr/bin/env bash
# Training throughput, side by side: bench_train_throughput (scns::train) against
# bench/train_throughput.py (the same network and loop in Python PyTorch), run alternately
# so that machine noise hits both, then a table, the medians and their ratio.
#
#   bench/run_train_throughput.sh [BUILD_DIR]        (default: ./build)
#
# Builds nothing: build first, e.g. `packaging/setup.sh build` (which builds the benchmarks)
# or `cmake --build build --target bench_train_throughput`.
# Environment (defaults in brackets):
#   ROUNDS [3]            runs of each side; the order alternates (ours first in odd rounds)
#   EPOCHS [1]            epochs per run
#   BATCH [128]           batch size
#   THREADS [nproc]       intra-op threads on both sides
#   TRAIN_PER_CLASS [0]   0: all 60000 training images
#   PY_DATA [float]       float: Python batches from a pre-normalised float tensor;
#                         uint8: Python normalises each batch (see train_throughput.py)
#   PYTHON [/usr/bin/python3]   a Python with torch (Debian's python3-torch)
#   OUT [none]            also write every JSON line to this file
#   QUIET_WAIT [0]        before each run, wait up to this many seconds for other processes
#                         to use less than 0.2 CPU (sampled over 3 s); 0: do not wait
# Each row also shows "other CPU": the cores other processes kept busy, on average, during
# that run (from /proc/stat minus this script's children). On a 2-core machine anything above
# about 0.1 makes a 2-thread run unreliable; such rows should be rerun, not reported.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-build}"
rounds="${ROUNDS:-3}"
epochs="${EPOCHS:-1}"
batch="${BATCH:-128}"
threads="${THREADS:-$(nproc)}"
per_class="${TRAIN_PER_CLASS:-0}"
py_data="${PY_DATA:-float}"
python="${PYTHON:-/usr/bin/python3}"

ours="$build/bench/bench_train_throughput"
[ -x "$ours" ] || { echo "no $ours: build first (packaging/setup.sh build, or cmake --build $build --target bench_train_throughput)" >&2; exit 2; }
"$python" -c 'import torch, numpy' 2>/dev/null || { echo "$python cannot import torch and numpy (apt install python3-torch)" >&2; exit 2; }

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== busiest other processes:"
ps -eo pid,pcpu,comm --sort=-pcpu | head -4 | sed 's/^/   /'
echo "== $rounds rounds x $epochs epoch(s), batch $batch, threads $threads, train per class $per_class (0: all), python data $py_data"

hz="$(getconf CLK_TCK)"
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
# CPU ticks of this shell's finished children (cutime + cstime; the name field has no spaces).
child_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }
wait_quiet() {
  local limit="${QUIET_WAIT:-0}" waited=0 b0 b1
  while ((waited < limit)); do
    b0="$(busy_ticks)"; sleep 3; b1="$(busy_ticks)"; waited=$((waited + 3))
    awk -v d="$((b1 - b0))" -v hz="$hz" 'BEGIN { exit !(d / (3 * hz) < 0.2) }' && return 0
  done
  ((limit == 0)) || echo "   (still busy after ${limit}s: running anyway)" >&2
}
# timed ROUND CMD...: runs CMD, adds round and other-process CPU to its JSON line.
timed() {
  local round="$1"; shift
  wait_quiet
  local b0 c0 t0 b1 c1 t1 line other
  b0="$(busy_ticks)"; c0="$(child_ticks)"; t0="$(date +%s.%N)"
  line="$("$@")"
  b1="$(busy_ticks)"; c1="$(child_ticks)"; t1="$(date +%s.%N)"
  other="$(awk -v b="$((b1 - b0))" -v c="$((c1 - c0))" -v w="$(awk -v a="$t1" -v z="$t0" 'BEGIN { print a - z }')" \
           -v hz="$hz" 'BEGIN { o = (b - c) / (w * hz); printf "%.2f", (o < 0 ? 0 : o) }')"
  echo "   other processes: $other CPUs busy on average" >&2
  echo "${line/#\{/\{\"round\": $round, \"other_cpus\": $other, }" >> "$results"
}
run_ours() {
  echo "-- round $1: scns   $ours --threads $threads --batch-size $batch --epochs $epochs --train-per-class $per_class" >&2
  timed "$1" "$ours" --threads "$threads" --batch-size "$batch" --epochs "$epochs" --train-per-class "$per_class"
}
run_python() {
  echo "-- round $1: python $python $here/train_throughput.py --threads $threads --batch-size $batch --epochs $epochs --train-per-class $per_class --data $py_data" >&2
  timed "$1" "$python" "$here/train_throughput.py" --threads "$threads" --batch-size "$batch" --epochs "$epochs" \
    --train-per-class "$per_class" --data "$py_data"
}

for ((r = 1; r <= rounds; ++r)); do
  if ((r % 2 == 1)); then run_ours "$r"; run_python "$r"; else run_python "$r"; run_ours "$r"; fi
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${OUT:-}" ] && cp "$results" "$OUT"

"$python" - "$results" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def run_rate(r):  # images per second over all epochs of a run
    return sum(e["images_per_second"] * e["seconds"] for e in r["epochs"]) / sum(e["seconds"] for e in r["epochs"])
def run_wait(r):
    return sum(e["data_wait_share"] * e["seconds"] for e in r["epochs"]) / sum(e["seconds"] for e in r["epochs"])
print()
print("| round | implementation | threads | images | train s | img/s | data wait | other CPU |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in runs:
    secs = sum(e["seconds"] for e in r["epochs"])
    name = "scns (LibTorch %s)" % r["torch"] if r["impl"] == "scns" else "PyTorch %s, %s data" % (r["torch"], r["data"])
    print("| %d | %s | %d | %d | %.2f | %.1f | %.2f%% | %.2f |" % (r["round"], name, r["threads"], r["train_images"] * len(r["epochs"]),
                                                                secs, run_rate(r), 100 * run_wait(r), r["other_cpus"]))
ours = [run_rate(r) for r in runs if r["impl"] == "scns"]
py = [run_rate(r) for r in runs if r["impl"] == "pytorch"]
wait = [run_wait(r) for r in runs if r["impl"] == "scns"]
mo, mp = statistics.median(ours), statistics.median(py)
print()
print("median img/s: scns %.1f, pytorch %.1f; ratio scns/pytorch = %.3f (target >= 1.0: %s)"
      % (mo, mp, mo / mp, "met" if mo / mp >= 1.0 else "NOT met"))
print("scns data-wait share: median %.2f%%, max %.2f%% (target < 5%%: %s)"
      % (100 * statistics.median(wait), 100 * max(wait), "met" if max(wait) < 0.05 else "NOT met"))
EOF
