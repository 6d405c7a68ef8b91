# cohort's layers, and the rule that an include only looks down.
#
# The one table of what each layer may use. CMakeLists.txt links the layers' object libraries by
# it, and cohort_check_layers() holds every #include line of include/cohort/<layer>/ and
# src/<layer>/ to it. `common` is private (src/common/): helpers several layers share.
#
# Run as a script it checks a tree, for the build (a stamp file) and for the tests:
#   cmake -DCOHORT_SOURCE_DIR=<tree> [-DCOHORT_STAMP=<file>] -P cmake/cohort-layers.cmake
# and fails naming the file, its layer, the include and the layer it reaches.

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_policy(VERSION 3.25)  # IN_LIST; a project has it from cmake_minimum_required()
endif()

set(COHORT_LAYERS core common process git plan analysis run view testing)
set(COHORT_LAYER_USES_core)
set(COHORT_LAYER_USES_common core)
set(COHORT_LAYER_USES_process core common)
set(COHORT_LAYER_USES_git core common process)
set(COHORT_LAYER_USES_plan core common)
set(COHORT_LAYER_USES_analysis core common plan)
set(COHORT_LAYER_USES_run core common process git plan analysis)
set(COHORT_LAYER_USES_view core common process git plan analysis run)
set(COHORT_LAYER_USES_testing core common process git plan analysis run)

# The layer an include names: <cohort/L/...> and <cohort/L.hpp> are L; "L/..." (a private
# header, from src/) is L; <cohort/cohort.hpp> is "cohort" (every layer); anything else is empty.
function(_cohort_included_layer include out)
  set(layer "")
  if(include MATCHES "^<cohort/([a-z_]+)/")
    set(layer ${CMAKE_MATCH_1})
  elseif(include MATCHES "^<cohort/([a-z_]+)\\.hpp>$")
    set(layer ${CMAKE_MATCH_1})
  elseif(include MATCHES "^\"([a-z_]+)/")
    set(layer ${CMAKE_MATCH_1})
  endif()
  set(${out} "${layer}" PARENT_SCOPE)
endfunction()

# cohort_check_layers(<source dir>): FATAL_ERROR at the first file that reaches up or sideways.
function(cohort_check_layers root)
  get_filename_component(root "${root}" ABSOLUTE)
  set(problems "")
  foreach(layer IN LISTS COHORT_LAYERS)
    file(GLOB_RECURSE files ${root}/include/cohort/${layer}/*.hpp ${root}/include/cohort/${layer}.hpp
                            ${root}/src/${layer}/*.hpp ${root}/src/${layer}/*.cpp)
    set(allowed ${layer} ${COHORT_LAYER_USES_${layer}})
    foreach(file IN LISTS files)
      file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
      file(RELATIVE_PATH shown ${root} ${file})
      foreach(line IN LISTS includes)
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"][^>\"]*[>\"]).*$" "\\1" include "${line}")
        _cohort_included_layer("${include}" target)
        if("${target}" STREQUAL "" OR target IN_LIST allowed)
          continue()
        endif()
        if(target STREQUAL "cohort")
          set(why "the whole library")
        elseif(NOT target IN_LIST COHORT_LAYERS)
          set(why "no layer")
        else()
          set(why "layer ${target}")
        endif()
        list(JOIN COHORT_LAYER_USES_${layer} ", " below)
        if(NOT below STREQUAL "")
          set(below " and ${below}")
        endif()
        string(APPEND problems
          "  ${shown} (layer ${layer}) includes ${include} (${why}): "
          "layer ${layer} may include only ${layer}${below}\n")
      endforeach()
    endforeach()
  endforeach()
  if(NOT problems STREQUAL "")
    message(FATAL_ERROR "cohort: an include reaches a layer it may not use "
                        "(cmake/cohort-layers.cmake has the table):\n${problems}")
  endif()
endfunction()

# cohort_check_convenience_headers(<source dir>): <cohort/L.hpp> includes every public header
# of layer L (not detail/ or impl/), and <cohort/cohort.hpp> includes every <cohort/L.hpp>.
function(cohort_check_convenience_headers root)
  get_filename_component(root "${root}" ABSOLUTE)
  set(problems "")
  file(READ ${root}/include/cohort/cohort.hpp umbrella)
  foreach(layer IN LISTS COHORT_LAYERS)
    if(NOT EXISTS ${root}/include/cohort/${layer})
      continue()  # a private layer (common)
    endif()
    if(NOT umbrella MATCHES "#include <cohort/${layer}\\.hpp>")
      string(APPEND problems "  include/cohort/cohort.hpp misses <cohort/${layer}.hpp>\n")
    endif()
    set(convenience ${root}/include/cohort/${layer}.hpp)
    if(NOT EXISTS ${convenience})
      string(APPEND problems "  include/cohort/${layer}.hpp is missing\n")
      continue()
    endif()
    file(READ ${convenience} text)
    file(GLOB headers RELATIVE ${root}/include ${root}/include/cohort/${layer}/*.hpp)
    foreach(header IN LISTS headers)
      if(NOT text MATCHES "#include <${header}>")
        string(APPEND problems "  include/cohort/${layer}.hpp misses <${header}>\n")
      endif()
    endforeach()
  endforeach()
  if(NOT problems STREQUAL "")
    message(FATAL_ERROR "cohort: a convenience header is incomplete:\n${problems}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT COHORT_SOURCE_DIR)
    message(FATAL_ERROR "usage: cmake -DCOHORT_SOURCE_DIR=<tree> [-DCOHORT_STAMP=<file>] -P ${CMAKE_CURRENT_LIST_FILE}")
  endif()
  cohort_check_layers(${COHORT_SOURCE_DIR})
  if(NOT COHORT_SKIP_CONVENIENCE)
    cohort_check_convenience_headers(${COHORT_SOURCE_DIR})
  endif()
  if(COHORT_STAMP)
    file(TOUCH ${COHORT_STAMP})
  endif()
endif()
