# cmake -P script: install, configure + build the consumer, run it.
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${CIM_BINARY_DIR} --prefix ${prefix})
foreach(file lib/cmake/cim/CIMConfig.cmake include/cim/Dialect/CIM/CIMOps.h
             include/cim/Dialect/CIM/CIMOps.h.inc bin/cim-opt
             include/cim/Hardware/Hardware.h include/cim/Analysis/CostModel.h
             share/cim/hw/rram-tiled.yaml)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install tree lacks ${file}")
  endif()
endforeach()

run(${CMAKE_COMMAND} -G ${GENERATOR} -S ${CONSUMER_SOURCE_DIR}
    -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix} -DMLIR_DIR=${MLIR_DIR}
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
message("${last_output}")
if(NOT last_output MATCHES "quant = #cim.quant<wbits = 3, abits = 5, ascheme = asymmetric>")
  message(FATAL_ERROR "consumer output lacks the quantized layer")
endif()
if(NOT last_output MATCHES "layer fc: 16x4 matrix")
  message(FATAL_ERROR "consumer output lacks the layer summary")
endif()
# 16x4 at W3A5 on one 256x256 crossbar: 56 us write + 5 x 1.4 us.
if(NOT last_output MATCHES "cimaq latency: 63000000 ps")
  message(FATAL_ERROR "consumer output lacks the CIM-AQ latency")
endif()
if(NOT last_output MATCHES "program latency: 63000000 ps")
  message(FATAL_ERROR "consumer output lacks the compiled program's latency")
endif()
