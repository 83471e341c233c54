# Recipe: the frame of every package recipe in extensions/<pkg>/, which the
# inner project (extensions/CMakeLists.txt) add_subdirectory()s.
#
# trellis2_recipe(<pkg> PYTHON_PACKAGES <dir>...)
#   <pkg>             package name; the native plan gives its tree
#                     (TRELLIS2_<pkg>_PACKAGE_DIR), distribution, input wheel,
#                     pinned commit and pin file
#   PYTHON_PACKAGES   the package's Python package directories (staged from
#                     the source, or named by the input wheel)
# Adds the target <pkg>: the package's modules built, audited and staged with
# its Python (and API-checked, with TRELLIS2_API_CHECK=build). Its properties
# carry what the manifest reports: TRELLIS2_DIST, TRELLIS2_MODULES (import
# names), TRELLIS2_API_CHECK_STAMP. Sets, in the recipe's directory scope,
# TRELLIS2_PACKAGE and TRELLIS2_PACKAGE_SOURCE_DIR (against which
# trellis2_add_torch_extension resolves relative paths). The distribution's
# version comes from the source's pyproject.toml.
#
# trellis2_finish_recipe()
#   the recipe's last line, after its modules: stages the Python and adds
#   the API check (PythonStage.cmake) for the complete module list.
#
# trellis2_write_native_manifest(<file>)
#   after every recipe: the native plan's TRELLIS2_NATIVE_MANIFEST, the one
#   way facts go back to the superbuild: {"abi_audit": path,
#   ["input_wheel_tags": path, "input_wheel_load": path,] "packages": {<pkg>:
#   {"dist", "api_check_stamp", "modules": [{"import", "file", "audit", "path"}]}}}
#   (file: the linked module; audit: the stamp a passing audit leaves; path:
#   where it is staged, relative to the stage, as a wheel ships it)

include_guard(GLOBAL)
include(TorchExtension)
include(PythonStage)
include("${CMAKE_CURRENT_LIST_DIR}/../common/Json.cmake")

macro(trellis2_recipe pkg)
  cmake_parse_arguments(_recipe "" "" "PYTHON_PACKAGES" ${ARGN})
  set(TRELLIS2_PACKAGE "${pkg}")
  set(TRELLIS2_PACKAGE_SOURCE_DIR "${TRELLIS2_${pkg}_PACKAGE_DIR}")
  if(NOT TRELLIS2_PACKAGE_SOURCE_DIR OR NOT IS_DIRECTORY "${TRELLIS2_PACKAGE_SOURCE_DIR}")
    message(FATAL_ERROR "The ${pkg} recipe found no source tree: TRELLIS2_${pkg}_PACKAGE_DIR='${TRELLIS2_PACKAGE_SOURCE_DIR}' "
      "in the native plan. Build it through the superbuild (cmake -S <repo> -B build), which pulls it first.")
  endif()
  add_custom_target(${pkg} ALL)
  set_target_properties(${pkg} PROPERTIES TRELLIS2_DIST "${TRELLIS2_${pkg}_DIST}" TRELLIS2_MODULES "")
  set(_recipe_version "")
  if(TRELLIS2_PYTHON_FROM STREQUAL "source")  # a wheel brings its own dist-info
    _trellis2_project_version(_recipe_version)
  endif()
  trellis2_begin_package_python(DIST "${TRELLIS2_${pkg}_DIST}" VERSION "${_recipe_version}"
    WHEEL "${TRELLIS2_${pkg}_WHEEL}" PACKAGES ${_recipe_PYTHON_PACKAGES})
endmacro()

function(trellis2_finish_recipe)
  if(NOT TRELLIS2_PACKAGE)
    message(FATAL_ERROR "trellis2_finish_recipe() without trellis2_recipe(): call trellis2_recipe(<pkg> ...) first")
  endif()
  trellis2_finish_package_python(${TRELLIS2_PACKAGE})
endfunction()

# [project] version of the source's pyproject.toml (every upstream has one).
function(_trellis2_project_version out)
  set(pyproject "${TRELLIS2_PACKAGE_SOURCE_DIR}/pyproject.toml")
  execute_process(COMMAND "${TRELLIS2_PYTHON}" -c
      "import sys, tomllib; print(tomllib.load(open(sys.argv[1], 'rb'))['project']['version'])" "${pyproject}"
    OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR version STREQUAL "")
    message(FATAL_ERROR "Cannot read [project] version from ${pyproject}: ${err}"
      "Expected the upstream's pyproject.toml; is ${TRELLIS2_PACKAGE_SOURCE_DIR} the package root?")
  endif()
  set(${out} "${version}" PARENT_SCOPE)
endfunction()

function(trellis2_write_native_manifest file)
  set(manifest "{\"packages\": {}}")
  trellis2_json_set(manifest "$<TARGET_FILE:abi-audit>" abi_audit)
  # Wheel mode: the tags the input wheels would have earned, and what they
  # would do here (extensions/CMakeLists.txt).
  if(TRELLIS2_INPUT_WHEEL_TAGS)
    trellis2_json_set(manifest "${TRELLIS2_INPUT_WHEEL_TAGS}" input_wheel_tags)
    trellis2_json_set(manifest "${TRELLIS2_INPUT_WHEEL_LOAD}" input_wheel_load)
  endif()
  foreach(pkg IN LISTS TRELLIS2_PACKAGES)
    string(JSON manifest SET "${manifest}" packages ${pkg} "{\"modules\": []}")
    get_target_property(dist ${pkg} TRELLIS2_DIST)
    get_target_property(stamp ${pkg} TRELLIS2_API_CHECK_STAMP)
    get_target_property(modules ${pkg} TRELLIS2_MODULES)
    trellis2_json_set(manifest "${dist}" packages ${pkg} dist)
    trellis2_json_set(manifest "${stamp}" packages ${pkg} api_check_stamp)
    set(index 0)
    foreach(module IN LISTS modules)
      get_target_property(audit ${module} TRELLIS2_AUDIT_STAMP)
      get_target_property(staged ${module} TRELLIS2_STAGED_FILE)
      file(RELATIVE_PATH staged "${TRELLIS2_STAGE_DIR}" "${staged}")
      string(JSON manifest SET "${manifest}" packages ${pkg} modules ${index} "{}")
      trellis2_json_set(manifest "${module}" packages ${pkg} modules ${index} import)
      trellis2_json_set(manifest "$<TARGET_FILE:${module}>" packages ${pkg} modules ${index} file)
      trellis2_json_set(manifest "${audit}" packages ${pkg} modules ${index} audit)
      trellis2_json_set(manifest "${staged}" packages ${pkg} modules ${index} path)
      math(EXPR index "${index} + 1")
    endforeach()
  endforeach()
  file(GENERATE OUTPUT "${file}" CONTENT "${manifest}\n")
endfunction()
