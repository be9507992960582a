#!/usr/bin/env bash
# Installs ONNX Runtime for Node.js (npm package onnxruntime-node, with its
# Linux x64 native library inside; --ignore-scripts skips the install
# script, which only fetches GPU extras) into build/cache/ort (shared by
# the normal and the sanitizer builds), the
# independent oracle of the tests that REQUIRE onnxruntime
# (scripts/ort-run.py drives it). Idempotent; prints the package directory.
# Exit status 1 when npm or the registry is unreachable: those tests then
# report themselves unsupported.
set -euo pipefail
source "$(dirname "$0")/../common.sh"
VERSION=1.22.0
CACHE="$CIM_ROOT/build/cache/ort"
PACKAGE="$CACHE/node_modules/onnxruntime-node"
if [ ! -f "$CACHE/.complete-$VERSION" ]; then
  # npm (with Node.js) from Debian unless a Node.js distribution brings it.
  if ! command -v npm >/dev/null; then
    CIM_PACKAGES=(npm)
    cim_install_packages
  fi
  mkdir -p "$CACHE"
  rm -rf "$CACHE/node_modules" "$CACHE"/.complete-*
  # npm checks every tarball against the registry's integrity hash.
  (cd "$CACHE" && timeout 600 npm install --silent --ignore-scripts --no-audit \
    --no-fund --no-save "onnxruntime-node@$VERSION" >/dev/null)
  node -e "require('$PACKAGE')" >/dev/null
  touch "$CACHE/.complete-$VERSION"
fi
echo "$PACKAGE"
