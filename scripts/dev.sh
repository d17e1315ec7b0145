#!/usr/bin/env bash
# Starts entitle locally: builds, applies migrations to every local D1 database (DB and DB_2),
# starts the worker on http://127.0.0.1:8787 with the demo page, and seeds the demo store. Two
# stores run on two databases: `demo` on DB, `second` on DB_2 (STORE_DATABASES in .dev.vars).
# Ctrl-C stops it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT="${PORT:-8787}"
DEMO_KEY="sk_demo_local_only"
SECOND_KEY="sk_second_local_only"

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

# A second local store, on the second database (older .dev.vars files get it added).
if ! grep -q '^STORE_DATABASES=' .dev.vars; then
  log "adding the second local store, on DB_2, to .dev.vars"
  keys="$(grep '^STORE_KEYS=' .dev.vars | cut -d= -f2-)"
  keys="$(node -e 'const k = JSON.parse(process.argv[1] || "{}"); k.second = require("crypto").createHash("sha256").update(process.argv[2]).digest("hex"); console.log(JSON.stringify(k))' "$keys" "$SECOND_KEY")"
  grep -v '^STORE_KEYS=' .dev.vars > .dev.vars.new
  printf 'STORE_KEYS=%s\nSTORE_DATABASES={"second":"DB_2"}\n' "$keys" >> .dev.vars.new
  mv .dev.vars.new .dev.vars
fi

# Every D1 binding of wrangler.toml gets the migrations: a store may live on any of them.
# (wrangler's reader also prints which .dev.vars it read: the bindings are the last line.)
bindings="$(node -e 'const { unstable_getMiniflareWorkerOptions: read } = require("wrangler"); console.log(Object.keys(read("wrangler.toml").workerOptions.d1Databases ?? {}).join(" "))' | tail -n 1)"
for binding in $bindings; do
  log "applying migrations to the local D1 database $binding"
  CI=true wrangler d1 migrations apply "$binding" --local >/dev/null
done

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
  demo store key:       $DEMO_KEY   (store "demo", on DB, local only)
  second store key:     $SECOND_KEY   (store "second", on DB_2, local only)
  try:  curl -s -X POST http://127.0.0.1:$PORT/v1/sessions -H "authorization: Bearer $DEMO_KEY" \\
             -H 'content-type: application/json' -d '{"accountId":"company-b"}'

TXT
wait "$pid"
