# Recipe: the preamble of every package recipe in extensions/<pkg>/.
#
# trellis2_recipe(<pkg> PYTHON_PACKAGES <dir>...)
#   <pkg>             package name; its source comes in <PKG>_SOURCE_DIR
#   PYTHON_PACKAGES   the package's Python package directories (staged from
#                     the source, or named by the input wheel)
# Checks that CUDA was detected with the checked host compiler
# (CudaHostCompiler.cmake). Sets TRELLIS2_PACKAGE_SOURCE_DIR (against which
# trellis2_add_torch_extension resolves relative paths) and
# TRELLIS2_PYTHON_STAMP. The distribution's name
# comes from the superbuild (the pin's PIN_DIST), its version from the
# source's pyproject.toml.
#
# trellis2_finish_recipe()
#   the recipe's last line, after its modules: stages the Python and adds
#   the API check (cmake/recipe/PythonStage.cmake) for the complete module list.

include_guard(GLOBAL)
include(TorchExtension)
include(PythonStage)
include(CudaHostCompiler)

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
  trellis2_check_cuda_host_compiler()
  set(_recipe_version "")
  if(TRELLIS2_PYTHON_FROM STREQUAL "source")  # a wheel brings its own dist-info
    _trellis2_project_version(_recipe_version)
  endif()
  trellis2_begin_package_python(DIST "${TRELLIS2_PACKAGE_DIST}" VERSION "${_recipe_version}"
    PACKAGES ${_recipe_PYTHON_PACKAGES})
endmacro()

function(trellis2_finish_recipe)
  trellis2_finish_package_python()
endfunction()

# [project] version of the source's pyproject.toml (every upstream has one).
function(_trellis2_project_version out)
  set(pyproject "${TRELLIS2_PACKAGE_SOURCE_DIR}/pyproject.toml")
  execute_process(COMMAND "${Python3_EXECUTABLE}" -c
      "import sys, tomllib; print(tomllib.load(open(sys.argv[1], 'rb'))['project']['version'])" "${pyproject}"
    OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR version STREQUAL "")
    message(FATAL_ERROR "Cannot read [project] version from ${pyproject}: ${err}"
      "Expected the upstream's pyproject.toml; is ${TRELLIS2_PACKAGE_SOURCE_DIR} the package root?")
  endif()
  set(${out} "${version}" PARENT_SCOPE)
endfunction()
