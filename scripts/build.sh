#!/usr/bin/env bash
# Builds the npm package (web, bundler and node targets) and the worker.
#   scripts/build.sh          release build of both
#   scripts/build.sh npm      only the npm package
#   scripts/build.sh worker   only the worker
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
what="${1:-all}"
# Release builds for wasm32 in their own target directory: nothing else builds release wasm32,
# and `scripts/test.sh` runs this beside the host tests, which hold the default directory's lock.
export CARGO_TARGET_DIR="$ROOT/target/build"

# wasm-bindgen for one target, then wasm-opt (npm's binaryen), then the JavaScript layer (js/):
# index.js checks arguments and throws EntitleError; init.js says how the module is loaded.
bindgen() { # <wasm> <target: web|bundler|nodejs> <out dir> <entry: rules|full>
  local wasm="$1" target="$2" out="$3" entry="$4" js="crates/entitle-wasm/js"
  wasm-bindgen "$wasm" --out-dir "$out" --target "$target" --out-name entitle_rules --remove-name-section --remove-producers-section
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types "$out/entitle_rules_bg.wasm" -o "$out/entitle_rules_bg.wasm"
  cp crates/entitle-wasm/types.d.ts "$out/types.d.ts"
  cp "$js/$entry.d.ts" "$out/index.d.ts"
  if [ "$entry" = full ]; then cp "$js/rules.d.ts" "$out/rules.d.ts"; fi
  if [ "$target" = web ]; then cp "$js/init-web.js" "$out/init.js"; else cp "$js/init-loaded.js" "$out/init.js"; fi
  if [ "$target" = nodejs ]; then
    # CommonJS (for require and TypeScript's node10): the same layer, bundled by esbuild around
    # wasm-bindgen's node glue, which loads the module synchronously on require.
    echo '{"type":"commonjs"}' > "$out/package.json"
    local tmp; tmp="$(mktemp -d)"
    cp "$js/rules.js" "$js/full.js" "$js/internal.js" "$js/signed.js" "$js/live.js" "$tmp/" && cp "$out/init.js" "$tmp/init.js"
    esbuild "$tmp/$entry.js" --bundle --format=cjs --platform=node --log-level=warning \
      --external:./entitle_rules.js --outfile="$out/index.js"
    rm -rf "$tmp" "$out/init.js"
    # Imported as an ES module, Node gets the web glue next door, loaded synchronously.
    cp "$js/node.mjs" "$out/index.mjs"
    cp "$js/node.d.mts" "$out/index.d.mts"
  else
    cp "$js/$entry.js" "$out/index.js"
    cp "$js/internal.js" "$js/signed.js" "$js/live.js" "$out/"
    if [ "$entry" = full ]; then cp "$js/rules.js" "$out/rules.js"; fi
  fi
  rm -f "$out/.gitignore"
}

build_npm() {
  log "building the npm package"
  local release="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release" dist="crates/entitle-wasm/npm/dist"
  # Check-only (the default entries): decisions, access snapshots and list views, no command code.
  cargo build -p entitle-wasm --release --target wasm32-unknown-unknown --quiet
  cp "$release/entitle_wasm.wasm" "$release/entitle_wasm_check.wasm"
  # Full (the `full` entry): the commands too.
  cargo build -p entitle-wasm --release --target wasm32-unknown-unknown --quiet --features commands
  cp "$release/entitle_wasm.wasm" "$release/entitle_wasm_full.wasm"
  rm -rf "$dist"
  bindgen "$release/entitle_wasm_check.wasm" web "$dist/web" rules
  bindgen "$release/entitle_wasm_check.wasm" bundler "$dist/bundler" rules
  bindgen "$release/entitle_wasm_check.wasm" nodejs "$dist/node" rules
  bindgen "$release/entitle_wasm_full.wasm" web "$dist/full/web" full
  bindgen "$release/entitle_wasm_full.wasm" bundler "$dist/full/bundler" full
  bindgen "$release/entitle_wasm_full.wasm" nodejs "$dist/full/node" full
  # The demo page imports the check-only web entry from the worker's static assets
  # (index.js; entitle_wasm.js is the name it had before, kept as an alias).
  rm -rf www/pkg && mkdir -p www/pkg && cp "$dist/web/"* www/pkg/
  printf 'export * from "./index.js";\nexport { default } from "./index.js";\n' > www/pkg/entitle_wasm.js
}

build_worker() {
  log "building the worker"
  WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt" \
    ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild" \
    worker-build --release crates/entitle-worker >/dev/null
}

case "$what" in
  npm) build_npm ;;
  worker) build_worker ;;
  all) build_npm; build_worker ;;
  *) echo "usage: scripts/build.sh [npm|worker|all]" >&2; exit 2 ;;
esac
