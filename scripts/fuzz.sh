#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and fuzzes one of them:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh list
# TARGET: onnx, onnx-text, hw, policy, program, tensor, processor, space
# (fuzz/CMakeLists.txt). The
# seeds in fuzz/corpus/TARGET are copied into a work corpus outside the
# repository ($CIM_FUZZ_WORK, default $CIM_BUILD-fuzz/work/TARGET) that grows
# from run to run; findings are written to $CIM_FUZZ_WORK/../findings. Prints
# libFuzzer's last status line (execs, execs/s, cov, ft, corpus) and exits 1
# on a finding. Every finding becomes a file in fuzz/corpus/TARGET
# (crash-<sha1>) once fixed, so the normal suite replays it
# (docs/reliability.md).
source "$(dirname "$0")/common.sh"

targets=(onnx onnx-text hw policy program tensor processor space)
if [ "${1:-}" = "list" ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target="$1" seconds="$2"
shift 2
if ! printf '%s\n' "${targets[@]}" | grep -qx -- "$target"; then
  echo "fuzz.sh: unknown target '$target' (one of: ${targets[*]})" >&2
  exit 2
fi

# libFuzzer comes with clang's runtime libraries.
CIM_PACKAGES+=(clang libclang-rt-dev)
CIM_BUILD="$CIM_BUILD-fuzz"
cim_install_packages
cim_sanitizer_env
cim_configure -DCIM_FUZZ=ON -DCIM_ENABLE_TESTS=OFF \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
cim_log "building cim-fuzz-$target"
cmake --build "$CIM_BUILD" --target "cim-fuzz-$target" -- -j "$(nproc)" --quiet

work="${CIM_FUZZ_WORK:-$CIM_BUILD/work/$target}"
findings="$(dirname "$work")/findings/$target"
mkdir -p "$work" "$findings"
cp -n "$CIM_ROOT/fuzz/corpus/$target"/* "$work"/ 2>/dev/null || true

# The largest seed (a compiled program, a binary model) bounds the input
# size; 1 GiB of RSS and 20 s per input are far beyond what a valid input of
# that size needs, so exceeding them is a finding (an unbounded allocation
# or a hang).
case "$target" in
  program) max_len=20000 ;;
  onnx | onnx-text) max_len=8192 ;;
  *) max_len=4096 ;;
esac
log="$(dirname "$work")/$target.log"
cim_log "fuzzing $target for $seconds s (log: $log)"
set +e
"$CIM_BUILD/bin/cim-fuzz-$target" "$work" \
  -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=1024 \
  -malloc_limit_mb=1024 -timeout=20 -print_final_stats=1 \
  -artifact_prefix="$findings/" "$@" > "$log" 2>&1
status=$?
set -e
grep -E '^#[0-9]+' "$log" | tail -1
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
echo "corpus: $(find "$work" -type f | wc -l) files"
if [ "$status" -ne 0 ]; then
  grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
  exit 1
fi
