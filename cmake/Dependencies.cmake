# Locates the libraries stedi builds on. scripts/setup.sh installs them.
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CLI11 REQUIRED)

# DuckDB 1.4: an installed copy under the usual prefixes wins over the one that
# scripts/setup.sh unpacks into .deps/duckdb.
set(STEDI_DUCKDB_DIR "" CACHE PATH "Folder with include/duckdb.h and lib/libduckdb.so")
find_path(DUCKDB_INCLUDE_DIR duckdb.h
  HINTS ${STEDI_DUCKDB_DIR}/include
  PATHS /usr/local/include /usr/include ${CMAKE_SOURCE_DIR}/.deps/duckdb/include)
find_library(DUCKDB_LIBRARY duckdb
  HINTS ${STEDI_DUCKDB_DIR}/lib
  PATHS /usr/local/lib /usr/lib ${CMAKE_SOURCE_DIR}/.deps/duckdb/lib)
if(NOT DUCKDB_INCLUDE_DIR OR NOT DUCKDB_LIBRARY)
  message(FATAL_ERROR "DuckDB not found: run scripts/setup.sh, or set STEDI_DUCKDB_DIR")
endif()
message(STATUS "DuckDB: ${DUCKDB_LIBRARY}")
add_library(stedi::duckdb SHARED IMPORTED)
set_target_properties(stedi::duckdb PROPERTIES
  IMPORTED_LOCATION ${DUCKDB_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR})
# The binary finds libduckdb.so where it was found at build time.
get_filename_component(DUCKDB_LIBRARY_DIR ${DUCKDB_LIBRARY} DIRECTORY)
set(CMAKE_BUILD_RPATH ${DUCKDB_LIBRARY_DIR})
set(CMAKE_INSTALL_RPATH ${DUCKDB_LIBRARY_DIR})
