#!/usr/bin/env bash
# The SCNS study on Fashion-MNIST (issue: semantically-conditioned negative sampling):
# CE alone, CE + uniform, CE + class, CE + instance, CE + class + mixup, for two networks and
# three seeds, on a fixed seeded subset so it finishes on a laptop CPU. Writes the runs to
# a study database and prints the summary table (mean, spread, epochs to a fixed accuracy;
# bench/summarize_study.py) as Markdown on standard output. docs/results.md holds a copy
# pasted by hand with the command that produced it; nothing rewrites that file.
#
# usage: bench/study_fmnist.sh [BUILD_DIR] [DB]
# knobs (environment): EPOCHS (8), PER_CLASS (500), TEST_PER_CLASS (200), NEGATIVES (1024),
#                      SEEDS ("0 1 2"), ARCHS ("small-cnn resnet8"), TARGET (80: accuracy for "epochs to")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
db="${2:-$root/build/study/fmnist-study.sqlite}"
scns="$build/app/scns/scns"
EPOCHS="${EPOCHS:-8}"; PER_CLASS="${PER_CLASS:-500}"; TEST_PER_CLASS="${TEST_PER_CLASS:-200}"
NEGATIVES="${NEGATIVES:-1024}"; SEEDS="${SEEDS:-0 1 2}"; ARCHS="${ARCHS:-small-cnn resnet8}"; TARGET="${TARGET:-80}"
[ -x "$scns" ] || { echo "build first: packaging/setup.sh build (no $scns)" >&2; exit 2; }
mkdir -p "$(dirname "$db")"

declare -A variants=(
  [ce]=""
  [ce+uniform]="--sampler uniform"
  [ce+class]="--sampler class --similarity wordnet --class-k 3"
  [ce+instance]="--sampler instance --instance-k 64"
  [ce+class+mixup]="--sampler class --similarity wordnet --class-k 3 --mixup 16"
)
common=(--epochs "$EPOCHS" --train-per-class "$PER_CLASS" --test-per-class "$TEST_PER_CLASS"
        --schedule cosine --lr 0.1 --warmup-epochs 1 --negatives "$NEGATIVES")
for arch in $ARCHS; do
  for variant in ce ce+uniform ce+class ce+instance ce+class+mixup; do
    for seed in $SEEDS; do
      name="study/$arch/$variant/seed$seed"
      if "$scns" --db "$db" show "$name" 2>/dev/null | grep -q "status    finished"; then
        echo "== $name: done already"; continue
      fi
      echo "== $name"
      # shellcheck disable=SC2086
      "$scns" --db "$db" train --name "$name" --arch "$arch" --seed "$seed" "${common[@]}" ${variants[$variant]} \
        | grep -E "^epoch|finished|failed|diverged" | tail -1
    done
  done
done
/usr/bin/python3 "$root/bench/summarize_study.py" "$db" --target "$TARGET" \
  --command "bench/study_fmnist.sh (EPOCHS=$EPOCHS PER_CLASS=$PER_CLASS TEST_PER_CLASS=$TEST_PER_CLASS NEGATIVES=$NEGATIVES SEEDS='$SEEDS' ARCHS='$ARCHS')"
