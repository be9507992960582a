#!/usr/bin/env bash
# Regenerates docs/generated (dialect and pass reference) from the .td files.
source "$(dirname "$0")/common.sh"
cim_setup_and_build
mkdir -p "$CIM_ROOT/docs/generated"
cp "$CIM_BUILD"/docs/generated/*.md "$CIM_ROOT/docs/generated/"
cim_log "updated docs/generated"
