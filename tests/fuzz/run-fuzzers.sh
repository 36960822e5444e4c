#!/usr/bin/env bash
# Builds the fuzz targets (the `fuzz` preset: clang, libFuzzer, ASan + UBSan) and fuzzes each
# for N minutes, one at a time (one core). New corpus entries go to a scratch folder, never
# into the committed seeds; crashes go to <scratch>/artifacts/<target>/. Prints, per target,
# executions, time, corpus growth and crashes found.
#   tests/fuzz/run-fuzzers.sh MINUTES [TARGET...]     (default: every target)
# Environment: SCNS_FUZZ_BUILD_DIR (default ./build-fuzz), SCNS_FUZZ_SCRATCH (default
# /tmp/scns-fuzz), SCNS_FUZZ_FLAGS (more libFuzzer flags, e.g. -dict=... or -jobs=2).
# After a crash the target goes on fuzzing (-fork=1 -ignore_crashes=1) until its time is up.
# Reproduce one:  build-fuzz/tests/fuzz/<target> <scratch>/artifacts/<target>/crash-...
# Minimise it:    build-fuzz/tests/fuzz/<target> -minimize_crash=1 -runs=10000 <crash file>
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
minutes="${1:?usage: $0 MINUTES [TARGET...]}"
shift
build="${SCNS_FUZZ_BUILD_DIR:-$root/build-fuzz}"
scratch="${SCNS_FUZZ_SCRATCH:-/tmp/scns-fuzz}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"

targets=("$@")
cmake --preset fuzz -S "$root" -B "$build" >/dev/null
cmake --build "$build" --target "${targets[@]:-scns_fuzz_targets}"

if [ ${#targets[@]} -eq 0 ]; then
  for d in "$root"/tests/fuzz/corpus/*/; do
    t="$(basename "$d")"
    [ -x "$build/tests/fuzz/$t" ] && targets+=("$t")
  done
fi

# Readers that take a path get their files under $TMPDIR: memory is faster than disk.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

summary=()
for t in "${targets[@]}"; do
  new="$scratch/corpus/$t"
  art="$scratch/artifacts/$t"
  log="$scratch/logs/$t.log"
  mkdir -p "$new" "$art" "$(dirname "$log")"
  before=$(find "$new" -type f | wc -l)
  echo "== $t: fuzzing for $minutes min (log: $log)"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$build/tests/fuzz/$t" "$new" "$root/tests/fuzz/corpus/$t" \
      -max_total_time=$((minutes * 60)) -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -artifact_prefix="$art/" -print_final_stats=1 ${SCNS_FUZZ_FLAGS:-} >"$log" 2>&1 || true
  secs=$(( $(date +%s) - start ))
  # Fork mode reports "#<executions>: cov: ... exec/s: ... oom/timeout/crash: a/b/c time: ...".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$last")
  otc=$(sed -nE 's#.*oom/timeout/crash: ([0-9/]+).*#\1#p' <<<"$last")
  after=$(find "$new" -type f | wc -l)
  found=$(find "$art" -type f | wc -l)
  line=$(printf '%-22s %12s execs  %5ss  %6.0f exec/s  cov %6s  new corpus %4d  oom/timeout/crash %-8s  artifacts %d' \
         "$t" "${execs:-?}" "$secs" "$(awk -v e="${execs:-0}" -v s="$secs" 'BEGIN{print e/(s+0.001)}')" "${cov:-?}" $((after - before)) "${otc:-?}" "$found")
  echo "$line"
  summary+=("$line")
done
echo
echo "== summary ($minutes min per target; new entries in $scratch/corpus, crashes in $scratch/artifacts)"
printf '%s\n' "${summary[@]}"
