# Debian ships SOCI without a CMake config or pkg-config file. This module finds the core
# library and defines SOCI::soci_core. Backends (sqlite3, postgresql) are loaded by SOCI at
# run time by name; the store also links SOCI::soci_postgresql, only for the type of its
# exception (postgresql_soci_error, whose SQLSTATE says which errors are retryable).
find_path(SOCI_INCLUDE_DIR soci/soci.h)
find_library(SOCI_CORE_LIBRARY NAMES soci_core)
find_library(SOCI_POSTGRESQL_LIBRARY NAMES soci_postgresql)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SOCI REQUIRED_VARS SOCI_CORE_LIBRARY SOCI_POSTGRESQL_LIBRARY SOCI_INCLUDE_DIR)
if(SOCI_FOUND AND NOT TARGET SOCI::soci_core)
  add_library(SOCI::soci_core UNKNOWN IMPORTED)
  set_target_properties(SOCI::soci_core PROPERTIES
    IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR};/usr/include/postgresql")
  target_link_libraries(SOCI::soci_core INTERFACE ${CMAKE_DL_LIBS})
endif()
if(SOCI_FOUND AND NOT TARGET SOCI::soci_postgresql)
  add_library(SOCI::soci_postgresql UNKNOWN IMPORTED)
  set_target_properties(SOCI::soci_postgresql PROPERTIES IMPORTED_LOCATION "${SOCI_POSTGRESQL_LIBRARY}")
  target_link_libraries(SOCI::soci_postgresql INTERFACE SOCI::soci_core)
endif()
