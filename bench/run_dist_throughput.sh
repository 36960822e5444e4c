#!/usr/bin/env bash
# Data-parallel training throughput on this machine, side by side, images per second of the
# last epoch (training only, no evaluation):
#   scns-1x2   `scns train`, one process with 2 threads
#   scns-2x1   `scns train --nproc-per-node 2 --threads 1`: 2 ranks (c10d Gloo) x 1 thread
#   ddp-2x1    bench/dist_throughput.py: PyTorch DistributedDataParallel, 2 ranks x 1 thread, Gloo
#   torch-1x2  bench/train_throughput.py: PyTorch in one process with 2 threads
# The same small CNN, SGD, one-cycle schedule and global batch everywhere; the sides run in
# rotating order within each round so that machine noise hits every side.
#
#   bench/run_dist_throughput.sh [BUILD_DIR]        (default: ./build; build scns first)
# Environment: ROUNDS [3], EPOCHS [2], BATCH [128], TRAIN_PER_CLASS [2000],
#              SIDES ["scns-1x2 scns-2x1 ddp-2x1 torch-1x2"]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
scns=$build/app/scns/scns
py=/usr/bin/python3
ROUNDS=${ROUNDS:-3} EPOCHS=${EPOCHS:-2} BATCH=${BATCH:-128} TRAIN_PER_CLASS=${TRAIN_PER_CLASS:-2000}
SIDES=${SIDES:-"scns-1x2 scns-2x1 ddp-2x1 torch-1x2"}
[[ -x $scns ]] || { echo "run_dist_throughput.sh: no $scns (build first)" >&2; exit 2; }
"$py" -c 'import torch.distributed as d; assert d.is_gloo_available()' 2>/dev/null \
  || { echo "run_dist_throughput.sh: $py has no torch with Gloo (Debian: python3-torch)" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

scns_side() {  # threads, processes -> img/s of the last epoch
  rm -rf "$work"/db*
  "$scns" --db "$work/db.sqlite" train --epochs "$EPOCHS" --batch-size "$BATCH" --train-per-class "$TRAIN_PER_CLASS" \
    --test-per-class 10 --threads "$1" --nproc-per-node "$2" \
    | awk -v e="$EPOCHS/$EPOCHS" '$1 == "epoch" && $2 == e { for (i = 1; i < NF; ++i) if ($(i + 1) == "img/s") print $i }'
}
py_side() {  # script args... -> img/s of the last epoch
  "$py" "$@" --epochs "$EPOCHS" --batch-size "$BATCH" --train-per-class "$TRAIN_PER_CLASS" 2>/dev/null \
    | "$py" -c 'import json, sys; print(json.load(sys.stdin)["epochs"][-1]["images_per_second"])'
}
measure() {
  case $1 in
    scns-1x2) scns_side 2 1 ;;
    scns-2x1) scns_side 1 2 ;;
    ddp-2x1) py_side "$here/dist_throughput.py" --world 2 --threads 1 ;;
    torch-1x2) py_side "$here/train_throughput.py" --threads 2 ;;
  esac
}

declare -A results
read -r -a sides <<< "$SIDES"
for ((r = 0; r < ROUNDS; ++r)); do
  for ((i = 0; i < ${#sides[@]}; ++i)); do
    side=${sides[$(((i + r) % ${#sides[@]}))]}
    v=$(measure "$side")
    results[$side]+="$v "
    echo "round $((r + 1)) $side: $v img/s" >&2
  done
done
"$py" - "$SIDES" <<PY
import statistics, sys
rows = {$(for s in "${sides[@]}"; do printf '"%s": [%s], ' "$s" "$(echo ${results[$s]} | tr ' ' ',')"; done)}
med = {k: statistics.median(v) for k, v in rows.items()}
print("| side | img/s per round | median |")
print("| --- | --- | ---: |")
for k, v in rows.items():
    print(f"| {k} | {', '.join(f'{x:.0f}' for x in v)} | {med[k]:.0f} |")
def ratio(a, b):
    if a in med and b in med:
        print(f"{a} / {b}: {med[a] / med[b]:.2f}")
ratio("scns-2x1", "ddp-2x1"); ratio("scns-2x1", "scns-1x2"); ratio("ddp-2x1", "torch-1x2"); ratio("scns-1x2", "torch-1x2")
PY
