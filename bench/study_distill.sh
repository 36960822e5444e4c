#!/usr/bin/env bash
# The distillation study on Fashion-MNIST (issue: knowledge distillation): a wrn_16_2 teacher
# trained here, then a resnet8 student with no teacher, Hinton KD, CRD (uniform negatives),
# CRD + class, CRD + instance and CRD + Latent Mixup, three seeds each, all through one
# `scns distill` experiment (linked runs in one database; rerunning continues where it stopped).
# Prints the summary table (bench/summarize_distill.py) that docs/results.md shows.
#
# usage: bench/study_distill.sh [BUILD_DIR] [DB]
# knobs (environment): TEACHER (wrn_16_2), STUDENT (resnet8), TEACHER_EPOCHS (15), EPOCHS (10),
#   PER_CLASS (1000), TEST_PER_CLASS (300), NEGATIVES (1024), SEEDS ("0, 1, 2"),
#   TARGET (85: accuracy for "epochs to"), NAME (fmnist-distill)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
db="${2:-$root/build/study/distill-study.sqlite}"
scns="$build/app/scns/scns"
TEACHER="${TEACHER:-wrn_16_2}"; STUDENT="${STUDENT:-resnet8}"; TEACHER_EPOCHS="${TEACHER_EPOCHS:-15}"
EPOCHS="${EPOCHS:-10}"; PER_CLASS="${PER_CLASS:-1000}"; TEST_PER_CLASS="${TEST_PER_CLASS:-300}"
NEGATIVES="${NEGATIVES:-1024}"; SEEDS="${SEEDS:-0, 1, 2}"; TARGET="${TARGET:-85}"; NAME="${NAME:-fmnist-distill}"
[ -x "$scns" ] || { echo "build first: packaging/setup.sh build (no $scns)" >&2; exit 2; }
mkdir -p "$(dirname "$db")"
config="$(dirname "$db")/$NAME.json"
cat > "$config" <<JSON
{
  "name": "$NAME",
  "base": {
    "data": {"train_per_class": $PER_CLASS, "test_per_class": $TEST_PER_CLASS},
    "epochs": $EPOCHS, "batch_size": 128,
    "optim": {"lr": 0.1},
    "schedule": {"kind": "cosine", "warmup_epochs": 1},
    "contrastive": {"negatives": $NEGATIVES}
  },
  "teacher": {"train": {"model": {"arch": "$TEACHER"}, "epochs": $TEACHER_EPOCHS}},
  "student": {"model": {"arch": "$STUDENT"}},
  "students": [
    {"label": "no teacher"},
    {"label": "KD", "distill": {"method": "kd"}},
    {"label": "CRD", "distill": {"method": "crd"}},
    {"label": "CRD + class", "distill": {"method": "crd"},
     "contrastive": {"sampler": "class", "class": {"similarity": "wordnet", "k": 3}}},
    {"label": "CRD + instance", "distill": {"method": "crd"},
     "contrastive": {"sampler": "instance", "instance": {"k": 64}}},
    {"label": "CRD + mixup", "distill": {"method": "crd"}, "contrastive": {"mixup": {"count": 16}}}
  ],
  "seeds": [$SEEDS]
}
JSON
echo "== experiment file: $config; database: $db"
"$scns" --db "$db" distill --config "$config" | grep -vE "^epoch [0-9]+/"
/usr/bin/python3 "$root/bench/summarize_distill.py" "$db" "$NAME" --target "$TARGET" \
  --command "bench/study_distill.sh (TEACHER=$TEACHER STUDENT=$STUDENT TEACHER_EPOCHS=$TEACHER_EPOCHS EPOCHS=$EPOCHS PER_CLASS=$PER_CLASS TEST_PER_CLASS=$TEST_PER_CLASS NEGATIVES=$NEGATIVES SEEDS='$SEEDS')"
