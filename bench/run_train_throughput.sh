#!/usr/bin/env bash
# Training throughput, side by side: bench_train_throughput (scns::train) against
# bench/train_throughput.py (the same network and loop in Python PyTorch), run in rotating
# order within each round so that machine noise hits every side, then a table, the medians
# and their ratios.
#
#   bench/run_train_throughput.sh [BUILD_DIR]        (default: ./build)
#
# Builds nothing: build first, e.g. `packaging/setup.sh build` (which builds the benchmarks)
# or `cmake --build build --target bench_train_throughput`.
# Environment (defaults in brackets):
#   ROUNDS [3]            rounds; each runs every side once
#   EPOCHS [1]            epochs per run
#   BATCH [128]           batch size
#   THREADS [nproc]       intra-op threads on every side
#   TRAIN_PER_CLASS [0]   0: all 60000 training images
#   PY_DATA [float]       float: Python batches from a pre-normalised float tensor;
#                         uint8: Python normalises each batch (see train_throughput.py)
#   SIDES ["scns scns-glibc pytorch pytorch+malloc"]  what to run each round:
#                         scns            bench_train_throughput as `scns train` runs: it calls
#                                         configureAllocatorForTraining() (core/train/device.h)
#                         scns-glibc      the same with --glibc-malloc: glibc's malloc as is
#                         pytorch         train_throughput.py under Debian's python3, as is
#                         pytorch+malloc  the same with the thresholds scns sets, from the
#                                         environment (MALLOC_MMAP_THRESHOLD_ and
#                                         MALLOC_TRIM_THRESHOLD_ at 1 GiB)
#                         With glibc's dynamic thresholds a process can unmap and re-fault tens
#                         of MB of tensor memory on every step (the "page faults/step" column),
#                         which costs either side up to a third of its speed; the like-for-like
#                         pairs are scns-glibc/pytorch and scns/pytorch+malloc.
#   PYTHON [/usr/bin/python3]   a Python with torch (Debian's python3-torch)
#   QUIET_WAIT [0]        before each run, wait up to this many seconds for other processes
#                         to use less than 0.2 CPU (sampled over 3 s); 0: do not wait
#   CLEAN_MAX [0.10]      a run counts as clean when other processes kept at most this many
#                         CPUs busy on average during it; the verdict uses clean runs only
#   OUT [none]            also write every JSON line to this file
# "other CPU" in the table: the cores other processes kept busy, on average, during that run
# (from /proc/stat minus this script's children). On a 2-core machine a 2-thread run next to
# a busy process can be several times slower, so such runs say nothing about either side.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-build}"
rounds="${ROUNDS:-3}"
epochs="${EPOCHS:-1}"
batch="${BATCH:-128}"
threads="${THREADS:-$(nproc)}"
per_class="${TRAIN_PER_CLASS:-0}"
py_data="${PY_DATA:-float}"
read -r -a sides <<< "${SIDES:-scns scns-glibc pytorch pytorch+malloc}"
python="${PYTHON:-/usr/bin/python3}"
clean_max="${CLEAN_MAX:-0.10}"

ours="$build/bench/bench_train_throughput"
[ -x "$ours" ] || { echo "no $ours: build first (packaging/setup.sh build, or cmake --build $build --target bench_train_throughput)" >&2; exit 2; }
"$python" -c 'import torch, numpy' 2>/dev/null || { echo "$python cannot import torch and numpy (apt install python3-torch)" >&2; exit 2; }
for s in "${sides[@]}"; do
  case "$s" in scns|scns-glibc|pytorch|pytorch+malloc) ;;
    *) echo "SIDES: '$s' is not one of scns, scns-glibc, pytorch, pytorch+malloc" >&2; exit 2 ;; esac
done

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== busiest other processes:"
ps -eo pid,pcpu,comm --sort=-pcpu | head -4 | sed 's/^/   /'
echo "== $rounds rounds x $epochs epoch(s), batch $batch, threads $threads, train per class $per_class (0: all)," \
     "python data $py_data; sides: ${sides[*]}"

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
# timed ROUND LABEL CMD...: runs CMD, adds round, label and other-process CPU to its JSON line.
timed() {
  local round="$1" label="$2"; shift 2
  echo "-- round $round: $label: $*" >&2
  wait_quiet
  local b0 c0 t0 b1 c1 t1 line other
  b0="$(busy_ticks)"; c0="$(child_ticks)"; t0="$(date +%s.%N)"
  line="$("$@")"
  b1="$(busy_ticks)"; c1="$(child_ticks)"; t1="$(date +%s.%N)"
  other="$(awk -v b="$((b1 - b0))" -v c="$((c1 - c0))" -v t1="$t1" -v t0="$t0" -v hz="$hz" \
           'BEGIN { o = (b - c) / ((t1 - t0) * hz); printf "%.2f", (o < 0 ? 0 : o) }')"
  echo "   other processes: $other CPUs busy on average" >&2
  echo "${line/#\{/\{\"round\": $round, \"label\": \"$label\", \"other_cpus\": $other, }" >> "$results"
}
malloc_env=(env MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824)
run_side() {  # run_side ROUND SIDE
  local common=(--threads "$threads" --batch-size "$batch" --epochs "$epochs" --train-per-class "$per_class")
  local py=("$python" "$here/train_throughput.py" "${common[@]}" --data "$py_data")
  case "$2" in
    scns) timed "$1" "$2" "$ours" "${common[@]}" ;;
    scns-glibc) timed "$1" "$2" "$ours" "${common[@]}" --glibc-malloc ;;
    pytorch) timed "$1" "$2" "${py[@]}" ;;
    pytorch+malloc) timed "$1" "$2" "${malloc_env[@]}" "${py[@]}" ;;
  esac
}

for ((r = 1; r <= rounds; ++r)); do
  for ((k = 0; k < ${#sides[@]}; ++k)); do  # rotate: round r starts with side (r-1) mod n
    run_side "$r" "${sides[$(((r - 1 + k) % ${#sides[@]}))]}"
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${OUT:-}" ]; then cp "$results" "$OUT"; fi

"$python" - "$results" "$clean_max" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
clean_max = float(sys.argv[2])
def rate(r):  # images per second over all epochs of a run
    return sum(e["images_per_second"] * e["seconds"] for e in r["epochs"]) / sum(e["seconds"] for e in r["epochs"])
def wait(r):
    return sum(e["data_wait_share"] * e["seconds"] for e in r["epochs"]) / sum(e["seconds"] for e in r["epochs"])
print()
def faults_per_step(r):  # minor page faults per optimiser step in the timed part
    steps = sum(-(-r["train_images"] // r["batch_size"]) for e in r["epochs"])
    return sum(e.get("minor_faults", 0) for e in r["epochs"]) / steps
print("| round | side | threads | images | train s | img/s | data wait | page faults/step | other CPU | clean |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for r in runs:
    secs = sum(e["seconds"] for e in r["epochs"])
    name = ("%s (LibTorch %s)" % (r["label"], r["torch"])) if r["impl"] == "scns" else ("%s %s, %s data" % (r["label"], r["torch"], r["data"]))
    print("| %d | %s | %d | %d | %.2f | %.1f | %.2f%% | %.0f | %.2f | %s |" % (
        r["round"], name, r["threads"], r["train_images"] * len(r["epochs"]), secs, rate(r), 100 * wait(r),
        faults_per_step(r), r["other_cpus"], "yes" if r["other_cpus"] <= clean_max else "no"))
print()
labels = list(dict.fromkeys(r["label"] for r in runs))
clean = {l: [rate(r) for r in runs if r["label"] == l and r["other_cpus"] <= clean_max] for l in labels}
for l in labels:
    every = [rate(r) for r in runs if r["label"] == l]
    c = clean[l]
    print("%-15s clean runs %d/%d, median img/s %s (all runs: %.1f)" % (
        l, len(c), len(every), "%.1f" % statistics.median(c) if c else "-", statistics.median(every)))
for o in [l for l in labels if l.startswith("scns")]:
    for p in [l for l in labels if l.startswith("pytorch")]:
        if clean[o] and clean[p]:
            q = statistics.median(clean[o]) / statistics.median(clean[p])
            print("ratio %s / %s (medians of clean runs) = %.3f  (target >= 1.0: %s)" % (o, p, q, "met" if q >= 1.0 else "NOT met"))
        else:
            print("ratio %s / %s: no clean runs on one side; rerun on a quieter machine (QUIET_WAIT=600)" % (o, p))
w = [wait(r) for r in runs if r["impl"] == "scns"]
print("scns data-wait share: median %.2f%%, max %.2f%% over all runs (target < 5%%: %s)"
      % (100 * statistics.median(w), 100 * max(w), "met" if max(w) < 0.05 else "NOT met"))
EOF
