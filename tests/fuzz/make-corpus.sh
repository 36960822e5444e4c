#!/usr/bin/env bash
# Regenerates the seed corpora under tests/fuzz/corpus/ (committed; run this only to remake them):
# fuzz_make_seeds (our own writers: store, JPEG, run configuration), then make_corpus.py (Python:
# pickles, IDX, CIFAR, torch.save files, text formats). Needs a configured fuzz build.
#   tests/fuzz/make-corpus.sh [build folder, default build-fuzz]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-fuzz}"
corpus="$root/tests/fuzz/corpus"
cmake --build "$build" --target fuzz_make_seeds
ASAN_OPTIONS=detect_leaks=0 "$build/tests/fuzz/fuzz_make_seeds" "$corpus"
/usr/bin/python3 "$root/tests/fuzz/make_corpus.py" "$corpus"
du -sh "$corpus"
