# Shared by scripts/*.sh: install missing Debian packages, configure, build.
# Sourced, not run. Everything is idempotent: a second run with nothing
# changed installs nothing and rebuilds nothing.
set -euo pipefail

CIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CIM_BUILD="${CIM_BUILD:-$CIM_ROOT/build}"

# Debian 12 packages the build and the tests need.
CIM_PACKAGES=(
  g++ cmake ninja-build ccache git python3
  llvm-16-dev llvm-16-tools libmlir-16-dev mlir-16-tools
  libgtest-dev libgmock-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libfmt-dev
  python3-onnx python3-numpy libopenblas-dev
  python3-torch python3-torchvision
  libtorch-dev zlib1g-dev dataset-fashion-mnist
  libturbojpeg0-dev libpng-dev
)

# Settings of the sanitizer runs (scripts/test.sh --sanitize, scripts/fuzz.sh):
# every finding stops the process with a stack trace, so the test fails.
# Leaks in the uninstrumented third-party libraries are suppressed by
# scripts/lsan.supp (each entry explained there).
cim_sanitizer_env() {
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:print_stacktrace=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  export LSAN_OPTIONS="suppressions=$CIM_ROOT/scripts/lsan.supp:print_suppressions=0"
  if [ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]; then
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer
  fi
}

cim_log() { printf '== %s\n' "$*" >&2; }

cim_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

cim_install_packages() {
  local missing=()
  for pkg in "${CIM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  cim_log "installing: ${missing[*]}"
  cim_sudo apt-get update -qq
  cim_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

cim_configure() {
  if [ -f "$CIM_BUILD/build.ninja" ]; then
    return 0
  fi
  cim_log "configuring $CIM_BUILD"
  cmake -G Ninja -S "$CIM_ROOT" -B "$CIM_BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMLIR_DIR=/usr/lib/llvm-16/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-16/build/utils/lit/lit.py \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    "$@" >/dev/null
}

cim_build() {
  cim_log "building (ninja)"
  # One job per core; an MLIR translation unit needs about 0.35 GiB.
  cmake --build "$CIM_BUILD" -- -j "$(nproc)" --quiet
}

cim_setup_and_build() {
  cim_install_packages
  cim_configure "$@"
  cim_build
}
