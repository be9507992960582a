# Installs the exported libraries plus a CIMConfig.cmake so that another
# project can write:
#   find_package(CIM REQUIRED CONFIG)
#   target_link_libraries(app PRIVATE CIM::Pipeline)
include(CMakePackageConfigHelpers)

set(CIM_INSTALL_CMAKEDIR lib/cmake/cim)
install(EXPORT CIMTargets NAMESPACE CIM:: DESTINATION ${CIM_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/CIMConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/CIMConfig.cmake
  INSTALL_DESTINATION ${CIM_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/CIMConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/CIMConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/CIMConfigVersion.cmake
  DESTINATION ${CIM_INSTALL_CMAKEDIR})

# Public headers: hand-written and TableGen-generated.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cim
                  ${PROJECT_SOURCE_DIR}/dialects/cim/include/cim
                  ${PROJECT_SOURCE_DIR}/dialects/cimp/include/cim
                  ${PROJECT_BINARY_DIR}/include/cim
                  ${PROJECT_BINARY_DIR}/dialects/cim/include/cim
                  ${PROJECT_BINARY_DIR}/dialects/cimp/include/cim
  DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.inc" PATTERN "*.td"
  PATTERN "CMakeFiles" EXCLUDE)

# Hardware presets (models/hw); CIMConfig.cmake names the directory.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/hw/ DESTINATION share/cim/hw
  FILES_MATCHING PATTERN "*.yaml")
# Processor descriptions of the digital baseline (models/processors).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/processors/
  DESTINATION share/cim/processors FILES_MATCHING PATTERN "*.yaml")
