# Include-direction check (ctest engine_layers; `cmake -P` with SOURCE_DIR).
#
# Engine layers, lowest first; a file in engine/src/<layer>/ may include the
# public headers (warden/...), the engine's shared headers (engine/src/*.hpp)
# and headers of its own layer or one below it. Code outside the engine
# (fuzzers, differential, spec-tests, tools, bench) may include only
# warden/... headers and the headers of those folders' own libraries (the
# generator, the differential campaign, the spec runner), never engine/src. The compiler enforces the
# second rule too (engine/src is a PRIVATE include directory); this check also
# catches relative paths ("../engine/src/...") and gives a readable report.
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo> -P includes.cmake")
endif()

# layer -> the layers it may include (besides itself and the shared headers)
set(below_decode "")
set(below_validate decode)
set(below_runtime decode validate)
set(below_execute decode validate runtime)
set(below_instantiate decode validate runtime execute)
set(below_host decode validate runtime execute instantiate)
set(below_text decode)
set(below_sign decode)
set(layers decode validate runtime execute instantiate host text sign)

set(errors "")
foreach(layer ${layers})
  file(GLOB_RECURSE files ${SOURCE_DIR}/engine/src/${layer}/*.cpp ${SOURCE_DIR}/engine/src/${layer}/*.hpp)
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^#include \"")
    foreach(line ${lines})
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" inc "${line}")
      if(inc MATCHES "^warden/" OR NOT inc MATCHES "/")
        continue()  # public, or a shared engine/src header, or its own folder
      endif()
      string(REGEX REPLACE "/.*" "" target "${inc}")
      if(target STREQUAL layer)
        continue()
      endif()
      list(FIND below_${layer} ${target} ok)
      if(ok EQUAL -1)
        file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
        string(APPEND errors "  ${rel}: includes ${inc} (layer ${target} is not below ${layer})\n")
      endif()
    endforeach()
  endforeach()
endforeach()

foreach(dir fuzzers differential spec-tests tools bench)
  file(GLOB_RECURSE files ${SOURCE_DIR}/${dir}/*.cpp ${SOURCE_DIR}/${dir}/*.hpp ${SOURCE_DIR}/${dir}/*.h)
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^#include \"")
    foreach(line ${lines})
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" inc "${line}")
      if(inc MATCHES "^warden/[a-z_]+\\.(hpp|def)$")
        continue()
      endif()
      # Otherwise it must be a header of the non-engine folders.
      set(own "")
      foreach(d fuzzers differential spec-tests tools bench)
        file(GLOB_RECURSE hit ${SOURCE_DIR}/${d}/${inc} ${SOURCE_DIR}/${d}/*/${inc})
        list(APPEND own ${hit})
      endforeach()
      if(NOT own OR inc MATCHES "\\.\\.")
        file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
        string(APPEND errors "  ${rel}: includes ${inc} (outside code may include only warden/... and non-engine headers)\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(errors)
  message(FATAL_ERROR "include direction violated:\n${errors}")
endif()
message(STATUS "engine layers: every include points down")
