#!/usr/bin/env bash
# Installs the VS Code build the integration tests run in: code-server (VS Code 1.100 server and
# web workbench) from the npm registry, plus the Debian packages it and the tests need.
# @vscode/test-electron downloads VS Code from the internet, which this machine cannot reach.
#   usage: .ci/install-code-server.sh [DEST]   (default: $HOME/.cache/litcite-code-server)
set -euo pipefail
dest=$(realpath -m "${1:-$HOME/.cache/litcite-code-server}")
version=4.100.3          # newest code-server whose "engines" still accept Node 20
vscode_dir="$dest/node_modules/code-server/lib/vscode"

apt_missing=()
command -v rg >/dev/null || apt_missing+=(ripgrep)
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
for tool in python3 make g++; do command -v "$tool" >/dev/null || apt_missing+=("$tool"); done
if [ ${#apt_missing[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${apt_missing[@]}"
fi

if [ -f "$vscode_dir/node_modules/node-pty/build/Release/pty.node" ] \
   && node "$dest/node_modules/code-server/out/node/entry.js" --version 2>/dev/null | grep -q "^$version "; then
  echo "code-server $version is installed in $dest"; exit 0
fi

# Native addons must build against the local Node headers instead of downloading them.
if [ -f /usr/include/node/node_api.h ] && [ -z "${npm_config_nodedir:-}" ]; then export npm_config_nodedir=/usr; fi

mkdir -p "$dest" && cd "$dest"
[ -f package.json ] || echo '{"private": true}' > package.json
# Lifecycle scripts stay off: code-server's postinstall refuses root and fetches ripgrep from
# GitHub. The parts of it that matter are done below.
npm install --no-audit --no-fund --ignore-scripts "code-server@$version"
npm rebuild argon2                       # loaded at start-up even with --auth none

cd "$vscode_dir"
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg   # findFiles / Quick Open need it
# node-pty for terminals; spdlog and native-watchdog to keep load errors out of the test log.
# node-pty's install runs `npx node-gyp`, which needs npx to be allowed to fetch.
npm_config_yes=true npm rebuild @vscode/spdlog native-watchdog node-pty
ln -sfn node_modules node_modules.asar
node "$dest/node_modules/code-server/out/node/entry.js" --version
