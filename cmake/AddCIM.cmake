# Helpers shared by every cimc library and tool.
#
# cim_add_library(<name> EXPORT_NAME <n> SOURCES ... [DEPENDS ...] [LINK_LIBS ...])
#   A static library, installed and exported as CIM::<n> so that an outside
#   project can find_package(CIM) and link it. Public headers live under an
#   include/ directory that is given to the consumer through the build and
#   install interfaces.
function(cim_add_library name)
  cmake_parse_arguments(ARG "" "EXPORT_NAME" "SOURCES;DEPENDS;LINK_LIBS;INCLUDE_DIRS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  set(incs ${ARG_INCLUDE_DIRS})
  if(NOT incs)
    set(incs ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
  endif()
  foreach(dir ${incs})
    target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${dir}>)
  endforeach()
  target_include_directories(${name} PUBLIC $<INSTALL_INTERFACE:include>)
  target_include_directories(${name} SYSTEM PUBLIC ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS})
  if(CIM_SANITIZE OR CIM_FUZZ)
    # Instrumented libraries need the sanitizer runtimes in every binary
    # that links them, also outside this project (test/install).
    target_link_options(${name} INTERFACE -fsanitize=address,undefined)
  endif()
  set_target_properties(${name} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    EXPORT_NAME ${ARG_EXPORT_NAME})
  install(TARGETS ${name} EXPORT CIMTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY CIM_EXPORTED_LIBS ${name})
endfunction()

# cim_add_tool(<name> SOURCES ... LINK_LIBS ...): an executable in build/bin,
# installed into bin/.
function(cim_add_tool name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK_LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS})
  install(TARGETS ${name} RUNTIME DESTINATION bin)
endfunction()

# cim_add_doc(<td file> <output name> <tablegen args...>): generated markdown
# in build/docs/generated/<output name>.md, built by the cim-doc target.
function(cim_add_doc td name)
  set(LLVM_TARGET_DEFINITIONS ${td})
  tablegen(MLIR ${name}.md ${ARGN})
  set(out ${PROJECT_BINARY_DIR}/docs/generated/${name}.md)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_BINARY_DIR}/${name}.md ${out}
    DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${name}.md)
  add_custom_target(${name}DocGen DEPENDS ${out})
endfunction()
