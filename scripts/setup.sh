#!/usr/bin/env bash
# Installs everything a fresh machine needs, skipping what is already there:
# the wasm32 target, wasm-bindgen-cli at Cargo.lock's version, worker-build, npm packages,
# schemathesis in target/venv, and Debian's chromium for the browser tests. Safe to run any number of times.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The two cargo tools are compiled once per machine. They run for a second per build, so they
# are compiled for compile time (opt-level 0, no LTO, 16 codegen units) in one shared target
# directory (their common dependencies compile once): 54 s and 73 s on 2 cores, against about
# 8 minutes with cargo's release profile; `scripts/build.sh` takes the same time with either.
install_tool() {
  CARGO_TARGET_DIR="$ROOT/target/tools" \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=off \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=0 \
    cargo install "$@"
}

want="$(wasm_bindgen_version)"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (about a minute, once per machine)"
  # Not --locked: its lockfile pins a crate version the registry no longer serves.
  install_tool wasm-bindgen-cli --version "$want"
fi

if ! worker-build --version 2>/dev/null | grep -qw "0.8.7"; then
  log "installing worker-build 0.8.7 (about a minute, once per machine)"
  install_tool worker-build --version 0.8.7 --locked
fi

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -x node_modules/.bin/wrangler ] || [ "$(cat node_modules/.entitle-lock 2>/dev/null)" != "$lock_hash" ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.entitle-lock
fi

# schemathesis (PyPI), pinned, in a project-local virtual environment, for tests/schemathesis.test.mjs.
SCHEMATHESIS_VERSION=4.32.5
if [ "$(target/venv/bin/schemathesis --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into target/venv"
  python3 -m venv target/venv
  target/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ "${ENTITLE_NEED_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
