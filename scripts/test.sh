#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit, unit, lint,
# install) through ctest, which prints one summary.
#   scripts/test.sh            all tests
#   scripts/test.sh -R lit/    only tests whose name matches (ctest -R)
source "$(dirname "$0")/common.sh"

cim_setup_and_build
cim_log "running tests"
cd "$CIM_BUILD"
ctest --output-on-failure -j "$(nproc)" "$@"
