#!/usr/bin/env bash
# Starts entitle locally: builds, applies migrations to local D1, starts the worker on
# http://127.0.0.1:8787 with the demo page, and seeds the demo store. Ctrl-C stops it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT="${PORT:-8787}"
DEMO_KEY="sk_demo_local_only"

bash scripts/setup.sh
bash scripts/build.sh

if [ ! -f .dev.vars ]; then
  log "writing .dev.vars (local secrets for the demo store)"
  secret="$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
  hash="$(node -e 'console.log(require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' "$DEMO_KEY")"
  cat > .dev.vars <<VARS
STORE_KEYS={"demo":"$hash"}
SESSION_SECRET=$secret
DEMO_SIGNIN=on
VARS
fi
# Webhooks locally: a key for endpoint secrets, and receivers at http://127.0.0.1 accepted.
if ! grep -q '^WEBHOOK_KEY=' .dev.vars; then
  log "adding the local webhook settings to .dev.vars"
  cat >> .dev.vars <<VARS
WEBHOOK_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
WEBHOOK_LOCAL_HTTP=on
VARS
fi

# Signed snapshots locally: one Ed25519 key, made by Node's crypto (README, Production, for real keys).
if ! grep -q '^SIGNING_KEYS=' .dev.vars; then
  log "adding a local signing key to .dev.vars"
  echo "SIGNING_KEYS=$(node -e 'const { generateKeyPairSync } = require("crypto");
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    console.log(JSON.stringify([{ kid: "local-1", privateKey: jwk }]))')" >> .dev.vars
fi

log "applying migrations to the local D1 database"
CI=true wrangler d1 migrations apply DB --local >/dev/null

log "starting the worker on http://127.0.0.1:$PORT"
setsid wrangler dev --ip 127.0.0.1 --port "$PORT" --local --show-interactive-dev-session=false &
pid=$!
trap 'kill -TERM -- -$pid 2>/dev/null; wait $pid 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$PORT/v1/openapi.json" && break
  kill -0 "$pid" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.3
done
node scripts/seed-demo.mjs "http://127.0.0.1:$PORT" "$DEMO_KEY"
cat <<TXT

  entitle is running:   http://127.0.0.1:$PORT/          (demo storefront)
  API:                  http://127.0.0.1:$PORT/v1/openapi.json
  demo store key:       $DEMO_KEY   (store "demo", local only)
  try:  curl -s -X POST http://127.0.0.1:$PORT/v1/sessions -H "authorization: Bearer $DEMO_KEY" \\
             -H 'content-type: application/json' -d '{"accountId":"company-b"}'

TXT
wait "$pid"
