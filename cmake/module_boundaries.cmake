# iiot_module_headers(<target> [BEAST] PUBLIC <header>...)
#
# The include interface of a component in src/<folder>/ (docs/architecture.md, "Module
# boundaries"). Every header is included as "<folder>/<name>.h", but only the PUBLIC ones are
# visible to a dependent: each is staged as a one-line forwarding header under
# <build>/include/<target>/<folder>/, the target's PUBLIC include directory. The folder's other
# headers, its internals, are staged under <build>/internal/<target>/<folder>/, a PRIVATE include
# directory of the target. Including another component's internal header therefore fails to build
# ("No such file or directory"); tests/boundaries checks that it does.
#
# <target>_internals (an INTERFACE target: the internals' include directory plus <target>) is for
# white-box code only: the unit tests beside the component, which iiot_add_unit_test gives it, and
# the benchmarks of the push path.
#
# Without BEAST the target's sources may not include Boost.Beast (iiot_without_beast); only
# src/push says BEAST.
#
# The forwarding headers include their source by a relative path, so the preprocessed text is the
# same in every checkout (ccache's base_dir shares results between worktrees).
function(iiot_module_headers target)
  cmake_parse_arguments(M "BEAST" "" "PUBLIC" ${ARGN})
  get_filename_component(folder "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  file(GLOB all_headers RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}" CONFIGURE_DEPENDS
       "${CMAKE_CURRENT_SOURCE_DIR}/*.h")
  set(internal_headers ${all_headers})
  foreach(header IN LISTS M_PUBLIC)
    if(NOT header IN_LIST all_headers)
      message(FATAL_ERROR "iiot_module_headers(${target}): no ${folder}/${header}")
    endif()
    list(REMOVE_ITEM internal_headers ${header})
  endforeach()

  set(public_root "${CMAKE_BINARY_DIR}/include/${target}")
  set(internal_root "${CMAKE_BINARY_DIR}/internal/${target}")
  _iiot_stage_headers("${public_root}/${folder}" ${M_PUBLIC})
  _iiot_stage_headers("${internal_root}/${folder}" ${internal_headers})
  target_include_directories(${target} PUBLIC "${public_root}" PRIVATE "${internal_root}")
  set_property(TARGET ${target} PROPERTY IIOT_PUBLIC_HEADERS ${M_PUBLIC})
  set_property(GLOBAL APPEND PROPERTY IIOT_MODULES ${target})

  add_library(${target}_internals INTERFACE)
  target_include_directories(${target}_internals INTERFACE "${internal_root}")
  target_link_libraries(${target}_internals INTERFACE ${target})

  if(NOT M_BEAST)
    iiot_without_beast(${target})
  endif()
endfunction()

# iiot_without_beast(<target>...): Boost.Beast belongs to src/push and the tools. In these targets
# a Beast header, included directly or through another component's public header, stops the
# build: cmake/no_beast/ shadows Beast's configuration header, which every Beast header includes,
# with an #error.
function(iiot_without_beast)
  foreach(target IN LISTS ARGN)
    target_include_directories(${target} BEFORE PRIVATE "${PROJECT_SOURCE_DIR}/cmake/no_beast")
  endforeach()
endfunction()

# Writes a forwarding header in `dir` for each of the current folder's headers given, and removes
# the ones staged there before that are no longer given (a header made internal must disappear).
# A header whose forwarder is unchanged keeps its timestamp, so a re-run of cmake rebuilds nothing.
function(_iiot_stage_headers dir)
  set(headers ${ARGN})
  file(MAKE_DIRECTORY "${dir}")
  file(GLOB staged RELATIVE "${dir}" "${dir}/*.h")
  foreach(header IN LISTS staged)
    if(NOT header IN_LIST headers)
      file(REMOVE "${dir}/${header}")
    endif()
  endforeach()
  foreach(header IN LISTS headers)
    set(source "${CMAKE_CURRENT_SOURCE_DIR}/${header}")
    file(RELATIVE_PATH shown "${PROJECT_SOURCE_DIR}" "${source}")
    file(RELATIVE_PATH path "${dir}" "${source}")
    file(CONFIGURE OUTPUT "${dir}/${header}"
         CONTENT "// Staged by cmake/module_boundaries.cmake: ${shown}\n#include \"${path}\"\n" @ONLY)
  endforeach()
endfunction()
