# Sanitizer and fuzzer instrumentation (docs/reliability.md).
#
# CIM_SANITIZE=ON  every target of the project with ASan + UBSan; any
#                  finding aborts the process (a test fails). -O1 without
#                  debug info beyond line tables keeps the build and the
#                  suite within the CI budget.
# CIM_FUZZ=ON      the same, plus -fsanitize=fuzzer-no-link so that libFuzzer
#                  sees the coverage of our libraries; fuzz/ links the
#                  targets with -fsanitize=fuzzer. Needs clang.
# Third-party libraries (LLVM/MLIR, protobuf, onnx, LibTorch, OpenBLAS) stay
# uninstrumented.
if(NOT CIM_SANITIZE AND NOT CIM_FUZZ)
  return()
endif()
if(CIM_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "CIM_FUZZ needs clang (scripts/fuzz.sh sets it up)")
endif()

set(CIM_SANITIZER_FLAGS
  -fsanitize=address,undefined
  -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer
  # Sanitizers are about our code; asserting vptr checks across the
  # uninstrumented LLVM libraries gives false reports.
  -fno-sanitize=vptr
  -O1 -g1)
if(CIM_FUZZ)
  list(APPEND CIM_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()
add_compile_options(${CIM_SANITIZER_FLAGS})
add_link_options(-fsanitize=address,undefined)
