#!/usr/bin/env bash
# The benchmark of issue 9 (figures, never timed tests): builds the package and a release sandbox,
# generates the peer's types from our specs with openapi-typescript (openapi-fetch is the peer;
# both pinned in package-lock.json), starts the sandbox, and runs scripts/bench.mjs, which prints
# ours / peer / ratio, then the gateway against a hand-written proxy. Copy its tables into the README's Performance section with the date.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_rust
setup_npm
setup_redis
cd "$ROOT"

[ -f dist/repair-claims/web/repair_claims_bg.wasm ] && [ "${REBUILD:-0}" = 0 ] || ./scripts/build.sh
say "building the release sandbox"
cargo build -q --release -p sandbox
say "generating the peer's types from openapi/ (openapi-typescript)"
mkdir -p target/bench
for spec in lalux ecologic; do
    openapi-typescript "openapi/$spec.yaml" -o "target/bench/$spec.d.ts" >/dev/null
done

LOG="$(mktemp)"
"$ROOT/target/release/sandbox" --port 0 >"$LOG" 2>&1 &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 100); do
    URL="$(sed -n 's/^SANDBOX_URL=//p' "$LOG")"
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { cat "$LOG" >&2; exit 1; }
say "benchmark on $(nproc) cores, $(node --version), $(date -u +%Y-%m-%d)"
node --expose-gc scripts/bench.mjs "$URL"
say "the gateway (repair-claims/server) against a hand-written Express proxy"
node scripts/bench.mjs gateway "$URL"
say "the workflows' journal: each store against one that keeps nothing (a redis-server of its own)"
REDIS_PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
REDIS_PID=$!
trap 'kill "$SANDBOX_PID" "$REDIS_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
node scripts/bench.mjs journal "$URL" "redis://127.0.0.1:$REDIS_PORT"
