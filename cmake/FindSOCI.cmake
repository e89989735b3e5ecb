# Debian ships SOCI without a CMake config or pkg-config file. This module finds the core
# library and defines SOCI::soci_core. Backends (sqlite3, postgresql) are loaded by SOCI at
# run time by name, so only the core is linked; the backend packages must be installed.
find_path(SOCI_INCLUDE_DIR soci/soci.h)
find_library(SOCI_CORE_LIBRARY NAMES soci_core)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SOCI REQUIRED_VARS SOCI_CORE_LIBRARY SOCI_INCLUDE_DIR)
if(SOCI_FOUND AND NOT TARGET SOCI::soci_core)
  add_library(SOCI::soci_core UNKNOWN IMPORTED)
  set_target_properties(SOCI::soci_core PROPERTIES
    IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR};/usr/include/postgresql")
  target_link_libraries(SOCI::soci_core INTERFACE ${CMAKE_DL_LIBS})
endif()
