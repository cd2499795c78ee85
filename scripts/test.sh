#!/usr/bin/env bash
# The README's test command: installs what it needs, then runs every test.
#   1. both specs through two independent validators (Redocly, openapi-spec-validator);
#   2. the Rust tests of the shared crates, of the sandbox (over real HTTP) and the client's native
#      unit tests of its pure modules (validation, field errors); every fuzz target for a few
#      seconds (scripts/fuzz.sh);
#   3. the wasm-bindgen-test suites against a sandbox it starts, in Node and in headless Chromium;
#   4. the package built by ./scripts/build.sh: its JavaScript surface with `node --test`
#      (tests/js; the journal's Redis tests start and stop a redis-server of their own), then the packed tarball installed into a fresh project (tests/package: CommonJS,
#      ESM, tsc --strict, a Vite page and a plain page in Chromium, the size budget);
#      the npm sandbox's tarball likewise, with no Rust toolchain on the PATH (tests/sandbox-package:
#      npx, startSandbox() under node:test, one suite against every host, 413, flat memory);
#   5. schemathesis with both specs and every check against a sandbox started with --strict (the
#      specs as a contract): responses conform to the specs, no 5xx on any generated input.
# Fails on any failure, on a suite that runs zero tests, and on a suite that is skipped.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_rust
setup_npm
setup_chromium
setup_redis
setup_python
cd "$ROOT"

LOGS="$(mktemp -d)"
TOTAL_PASSED=0
TOTAL_FAILED=0
PROBLEMS=()

# run_suite NAME COMMAND...: runs a test command, keeps its output, and counts every
# "test result:" line it prints. A failing command, a suite of zero tests, a "skipping" line or
# no result line at all is a problem.
run_suite() {
    local name="$1"; shift
    local log="$LOGS/$name.log"
    say "$name"
    set +e
    "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    set -e
    [ "$status" = 0 ] || PROBLEMS+=("$name: exited with status $status")
    local results
    results="$(grep -E '^test result: ' "$log" || true)"
    [ -n "$results" ] || PROBLEMS+=("$name: ran no test suite")
    while read -r line; do
        [ -n "$line" ] || continue
        local passed failed
        passed="$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")"
        failed="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")"
        TOTAL_PASSED=$((TOTAL_PASSED + passed))
        TOTAL_FAILED=$((TOTAL_FAILED + failed))
        [ "$passed" != 0 ] || PROBLEMS+=("$name: a suite ran zero tests")
    done <<<"$results"
    if grep -qi 'skipping' "$log"; then PROBLEMS+=("$name: a suite was skipped"); fi
}

say "validating the specs (Redocly)"
redocly lint openapi/lalux-token.yaml openapi/lalux.yaml openapi/ecologic.yaml
say "validating the specs (openapi-spec-validator)"
for spec in openapi/*.yaml; do openapi-spec-validator "$spec"; done

run_suite rust cargo test -p repair-money -p repair-dates -p sandbox
run_suite rust-client cargo test -p repair-claims --lib
# Every fuzz target briefly (its regressions, then 5 s of fuzzing); scripts/fuzz.sh 120 is the
# recorded run of the README.
FUZZ_DEV=1 run_suite fuzz ./scripts/fuzz.sh 5

say "building the package"
"$ROOT/scripts/build.sh"

say "starting the sandboxes"
cargo build -q -p sandbox
SANDBOX_PIDS=()
trap 'kill "${SANDBOX_PIDS[@]}" 2>/dev/null || true' EXIT
# start_sandbox NAME [FLAGS...]: starts a sandbox on a free port; sets SANDBOX_URL to its URL.
start_sandbox() {
    local name="$1"; shift
    local log="$LOGS/$name.log" url=""
    "$ROOT/target/debug/sandbox" --port 0 "$@" >"$log" 2>&1 &
    SANDBOX_PIDS+=($!)
    for _ in $(seq 100); do
        url="$(sed -n 's/^SANDBOX_URL=//p' "$log")"
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { cat "$log" >&2; echo "the sandbox did not start" >&2; exit 1; }
    SANDBOX_URL="$url"
}
# The sandbox every client suite talks to answers as the real servers do; schemathesis checks
# the specs as a contract against one started with --strict.
start_sandbox sandbox-strict --strict
STRICT_SANDBOX_URL="$SANDBOX_URL"
start_sandbox sandbox
export SANDBOX_URL
echo "sandbox at $SANDBOX_URL, strict sandbox at $STRICT_SANDBOX_URL"

run_suite wasm-node wasm-pack test --mode no-install --node
WASM_BINDGEN_USE_BROWSER=1 run_suite wasm-chromium \
    wasm-pack test --mode no-install --headless --chrome --chromedriver "$(command -v chromedriver)"

# node --test prints TAP; its "# pass" / "# fail" totals become a "test result:" line.
node_tests() {
    local log
    log="$(mktemp)"
    node --test --test-reporter=tap --test-concurrency=1 "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    local passed failed
    passed="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)"
    failed="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)"
    echo "test result: node --test. ${passed:-0} passed; ${failed:-0} failed"
    return "$status"
}
# The client's own suites (the fault matrix's invariants among them) run against the npm sandbox
# (one startSandbox() per file, see tests/js/helpers.mjs), proving it is enough for a real test
# suite.
SANDBOX_URL= run_suite js-surface node_tests tests/js/
run_suite package node tests/package/run.mjs
run_suite sandbox-package node tests/sandbox-package/run.mjs

# Each spec's schemathesis run counts as one test: it passes when every check passes. The seed is
# fixed so that CI is repeatable; change it to explore other inputs.
run_schemathesis() {
    local spec="$1" base="$2"; shift 2
    say "schemathesis: $spec"
    if st --config-file tools/schemathesis.toml run "openapi/$spec.yaml" --url "$STRICT_SANDBOX_URL$base" \
        --checks all --max-examples 50 --seed 20261123 --no-color "$@"; then
        TOTAL_PASSED=$((TOTAL_PASSED + 1))
    else
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
        PROBLEMS+=("schemathesis: $spec")
    fi
}
eval "$(python3 tools/sandbox_fixtures.py "$STRICT_SANDBOX_URL")"
run_schemathesis lalux-token /lalux/wts
run_schemathesis lalux /lalux/api
run_schemathesis ecologic /ecologic/api/v1/ecosupport -H "api_key: $ECOLOGIC_API_KEY"

echo
if [ "${#PROBLEMS[@]}" != 0 ]; then
    printf 'PROBLEM: %s\n' "${PROBLEMS[@]}"
fi
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "${#PROBLEMS[@]}" = 0 ] && [ "$TOTAL_FAILED" = 0 ]
