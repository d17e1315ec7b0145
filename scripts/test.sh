#!/usr/bin/env bash
# Runs every test of every layer. What CI runs (through .ci/run), and what to run before a push.
#   formatting, lints and docs (rustfmt, clippy -D warnings on the host and on wasm32, rustdoc -D warnings)
#   the rules' native tests: units, the shared scenarios, property tests, purity, TypeScript freshness
#   the freshness of openapi.json and docs/errors.md, generated from the worker's route table
#   the npm package build, its type check (tsc) and the scenarios in Node
#   the worker build, the scenarios and the HTTP tests against it in Miniflare (CORS, idempotency
#   keys, request ids and webhooks included)
#   the demo page in headless Chromium
#   the OpenAPI document: redocly lint, a typed client (openapi-typescript, openapi-fetch, tsc --strict)
#   running the four seed flows, and schemathesis against the worker
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
logdir="$ROOT/target/test-logs"
mkdir -p "$logdir"
: > "$logdir/summary"

bash scripts/setup.sh

log "rustfmt"
cargo fmt --all -- --check

log "clippy (host and wasm32)"
cargo clippy --quiet -p entitle-rules -p entitle-wasm -p entitle-worker --all-targets -- -D warnings
# The wasm crate is linted on wasm32 with and without its `commands` feature (full and
# check-only builds: each compiles code the other leaves out).
cargo clippy --quiet -p entitle-wasm -p entitle-worker --target wasm32-unknown-unknown --features entitle-wasm/commands -- -D warnings
cargo clippy --quiet -p entitle-wasm --target wasm32-unknown-unknown -- -D warnings

log "rustdoc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p entitle-rules -p entitle-wasm

# The npm package and the worker build (release, wasm32, their own target directory) beside the
# native tests: each spends long stretches on one core (link-time optimization, wasm-opt, the
# property tests), so together they take about a minute less on 2 cores.
log "building the npm package and the worker in the background (target/test-logs/build.log)"
bash scripts/build.sh > "$logdir/build.log" 2>&1 &
build_pid=$!

log "native tests of the rules, of the npm package's state reader against serde, and the worker's generated OpenAPI document and error reference"
cargo test -p entitle-rules -p entitle-wasm -p entitle-worker --features entitle-rules/ts 2>&1 | tee "$logdir/cargo.log" | grep -E "^test result|FAILED|panicked" || true
if grep -qE "^test result: FAILED|^error(\[E[0-9]+\])?:|^error: test failed" "$logdir/cargo.log" || ! grep -q "^test result: ok" "$logdir/cargo.log"; then
  cat "$logdir/cargo.log" | tail -60
  wait "$build_pid" || true
  exit 1
fi
awk '/^test result:/ { p += $4; f += $6 } END { print "cargo", p, f }' "$logdir/cargo.log" >> "$logdir/summary"


if ! wait "$build_pid"; then
  tail -60 "$logdir/build.log"
  exit 1
fi
log "npm package and worker built"

log "TypeScript declarations (tsc --noEmit)"
tsc -p tests/types/tsconfig.json

log "OpenAPI document: redocly lint (errors fail; warnings are counted in target/test-logs/redocly.log)"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true redocly lint openapi.json --format=summary 2>&1 | tee "$logdir/redocly.log" | grep -E "^(error|warning) |valid|problems?|warnings?\.$" || true
grep -q "Your API description is valid" "$logdir/redocly.log" || { cat "$logdir/redocly.log"; exit 1; }

log "OpenAPI document: typed client (openapi-typescript types, tsc --strict)"
# A field with a `default` is optional in a request body: say so (openapi-typescript 7 makes it required).
openapi-typescript openapi.json --default-non-nullable false -o tests/client/generated/openapi.d.ts >/dev/null
tsc -p tests/client/tsconfig.json

log "JavaScript tests: npm package, worker over HTTP, browser"
# Every test file of the two folders runs: a new file needs no line here. One file at a time:
# two at once took 207 s instead of 338 s, but Miniflare's synchronous D1 proxy (the tests'
# row counts) then failed under load on a fresh machine. No test may hang the run: each fails
# after 5 minutes.
node --test --test-concurrency=1 --test-timeout=300000 tests/*.test.mjs tests/browser/*.test.mjs 2>&1 | tee "$logdir/node.log" | grep -E "^not ok|^# (pass|fail)" || true
if ! grep -q "^# fail 0" "$logdir/node.log"; then
  grep -B2 -A25 "^not ok" "$logdir/node.log" | head -120
  exit 1
fi
awk '/^# pass/ { p = $3 } /^# fail/ { f = $3 } END { print "node", p, f }' "$logdir/node.log" >> "$logdir/summary"

log "OpenAPI document: the typed client (openapi-fetch) runs the four seed flows against the worker"
TSX_TSCONFIG_PATH=tests/client/tsconfig.json node --import tsx --test tests/client/flows.test.ts 2>&1 | tee "$logdir/client.log" | grep -E "^not ok|^# (pass|fail)" || true
if ! grep -q "^# fail 0" "$logdir/client.log"; then
  grep -B2 -A25 "^not ok" "$logdir/client.log" | head -80
  exit 1
fi
awk '/^# pass/ { p = $3 } /^# fail/ { f = $3 } END { print "client", p, f }' "$logdir/client.log" >> "$logdir/summary"

passed=$(awk '{ s += $2 } END { print s }' "$logdir/summary")
failed=$(awk '{ s += $3 } END { print s }' "$logdir/summary")
echo
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
