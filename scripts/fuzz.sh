#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS_PER_TARGET] (default 60): coverage-guided fuzzing (cargo fuzz,
# libFuzzer) of the pure code, target by target (fuzz/fuzz_targets/):
#   validation  arbitrary JSON against every operation, as the client checks a caller's input
#   contract    differential: an input the client accepts, written as the client writes its
#               request, is one the sandbox's contract (the specs read strictly) accepts
#   reply       arbitrary status and body for every kind of reply, as the client reads it
#   reader      the reply reader at its limits: bodies nested up to and past serde_json's depth
#               limit, and bodies up to the 8 MiB reply limit, read then checked as every reply
#   money       parsing/formatting round trip, JSON numbers, the sum rule and VAT vs a decimal oracle
#   dates       every form `When` reads, and Paris wall-clock time vs a calendar oracle
#   sandbox     arbitrary requests to the sandbox core: no panic, no 5xx but the documented one
# Each target first replays its regressions (fuzz/regressions/TARGET/: inputs that once crashed),
# then fuzzes for the given time. Prints a table (target, executions, seconds, crashes) and a
# "test result:" line; exits non-zero on any crash. Corpora stay in fuzz/corpus/ (not committed).
# FUZZ_DEV=1 builds without optimisation (quicker to build, slower to run: the test command's
# smoke run).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_rust
setup_fuzz
cd "$ROOT/fuzz"

SECONDS_PER_TARGET="${1:-60}"
TARGETS=(validation contract reply reader money dates sandbox)
PROFILE=(-O)
[ "${FUZZ_DEV:-}" = 1 ] && PROFILE=(--dev)
LOGS="$(mktemp -d)"

say "building the fuzz targets"
cargo fuzz build -s none "${PROFILE[@]}"

passed=0
failed=0
rows=()
for target in "${TARGETS[@]}"; do
    say "fuzzing $target for ${SECONDS_PER_TARGET}s"
    mkdir -p "corpus/$target"
    regressions=()
    [ -d "regressions/$target" ] && regressions=(regressions/"$target"/*)
    log="$LOGS/$target.log"
    status=0
    if [ "${#regressions[@]}" != 0 ]; then
        cargo fuzz run -s none "${PROFILE[@]}" "$target" "${regressions[@]}" >"$log" 2>&1 || status=$?
    fi
    if [ "$status" = 0 ]; then
        cargo fuzz run -s none "${PROFILE[@]}" "$target" "corpus/$target" -- \
            -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 >>"$log" 2>&1 || status=$?
    fi
    executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    seconds="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
    if [ "$status" = 0 ]; then
        passed=$((passed + 1))
        rows+=("| $target | ${executions:-?} | ${seconds:-?} | 0 |")
    else
        failed=$((failed + 1))
        rows+=("| $target | ${executions:-?} | ${seconds:-?} | crashed |")
        grep -E "panicked|SUMMARY|Test unit written|artifacts/" "$log" | head -8 >&2 || true
    fi
done

echo
echo "| target | executions | seconds | crashes |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo "test result: fuzz. $passed passed; $failed failed"
[ "$failed" = 0 ]
