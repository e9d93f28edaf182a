#!/usr/bin/env bash
# Installs the pinned web tools of tools/npm (PurgeCSS, Lighthouse) into .cache/npm-tools,
# once: a second run with the same lock file does nothing. Used by `make css`, .ci/run and
# tests/e2e/test_lighthouse.py.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=.cache/npm-tools
mkdir -p "$DEST"
cp tools/npm/lighthouse-pages.mjs "$DEST/"  # resolves lighthouse from DEST/node_modules
if [ -x "$DEST/node_modules/.bin/lighthouse" ] && [ -x "$DEST/node_modules/.bin/purgecss" ] \
    && cmp -s tools/npm/package-lock.json "$DEST/package-lock.json"; then
  exit 0
fi
cp tools/npm/package.json tools/npm/package-lock.json "$DEST/"
(cd "$DEST" && npm ci --no-audit --no-fund --loglevel=error)
