# Recipe: the preamble of every package recipe in extensions/<pkg>/.
#
# trellis2_recipe(<pkg> [PYTHON_PACKAGES <dir>...])
#   <pkg>             package name; its source comes in <PKG>_SOURCE_DIR
#   PYTHON_PACKAGES   package directories whose Python code is staged when
#                     the Python comes from the source (TRELLIS2_PYTHON_FROM)
# Sets TRELLIS2_PACKAGE_SOURCE_DIR, against which trellis2_add_torch_extension
# resolves relative paths.

include_guard(GLOBAL)
include(TorchExtension)
include(Stage)

macro(trellis2_recipe pkg)
  cmake_parse_arguments(_recipe "" "" "PYTHON_PACKAGES" ${ARGN})
  string(TOUPPER "${pkg}" _recipe_PKG)
  set(TRELLIS2_PACKAGE_SOURCE_DIR "${${_recipe_PKG}_SOURCE_DIR}")
  if(NOT TRELLIS2_PACKAGE_SOURCE_DIR OR NOT IS_DIRECTORY "${TRELLIS2_PACKAGE_SOURCE_DIR}")
    message(FATAL_ERROR "The ${pkg} recipe needs -D${_recipe_PKG}_SOURCE_DIR=<its source tree>; "
      "got '${TRELLIS2_PACKAGE_SOURCE_DIR}'. Build it through the superbuild (cmake -S <repo> -B build).")
  endif()
  if(NOT TRELLIS2_TORCH_LINK_LIBRARIES)
    message(FATAL_ERROR "The ${pkg} recipe has no toolchain: configure it with "
      "-C <superbuild>/subbuild-toolchain.cmake, as the superbuild does.")
  endif()
  if(TRELLIS2_PYTHON_FROM STREQUAL "source" AND _recipe_PYTHON_PACKAGES)
    trellis2_stage_python(${_recipe_PYTHON_PACKAGES})
  endif()
endmacro()
