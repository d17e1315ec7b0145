#!/usr/bin/env bash
# Builds the npm package (web, bundler and node targets) and the worker.
#   scripts/build.sh          release build of both
#   scripts/build.sh npm      only the npm package
#   scripts/build.sh worker   only the worker
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
what="${1:-all}"

build_npm() {
  log "building the npm package"
  cargo build -p entitle-wasm --release --target wasm32-unknown-unknown --quiet
  local wasm="target/wasm32-unknown-unknown/release/entitle_wasm.wasm"
  local dist="crates/entitle-wasm/npm/dist"
  rm -rf "$dist"
  for target in web bundler nodejs; do
    local out="$dist/${target/nodejs/node}"
    wasm-bindgen "$wasm" --out-dir "$out" --target "$target" --remove-name-section --remove-producers-section
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      "$out/entitle_wasm_bg.wasm" -o "$out/entitle_wasm_bg.wasm"
  done
  # The node target is CommonJS inside an ES module package.
  echo '{"type":"commonjs"}' > "$dist/node/package.json"
  # The demo page imports the web target from the worker's static assets.
  rm -rf www/pkg && mkdir -p www/pkg && cp "$dist/web/entitle_wasm.js" "$dist/web/entitle_wasm_bg.wasm" "$dist/web/entitle_wasm.d.ts" www/pkg/
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
