# PythonStage: the Python half of a package's stage and the API check that
# closes it. Used by Recipe.cmake inside a package sub-build; a recipe
# calls trellis2_recipe() first and trellis2_finish_recipe() last, so the
# module list is complete when the Python is staged and checked.
#
# trellis2_begin_package_python(DIST <name> VERSION <v> PACKAGES <dir>...)
#   DIST, VERSION  the distribution, as the input wheel names it (VERSION is
#                  needed only for a dist-info written from the source)
#   PACKAGES       its Python package directories (relative to the source)
#   Sets, in the recipe's scope, TRELLIS2_PYTHON_STAMP (every module's
#   staging copy depends on it, so the Python is in the stage before a module
#   is copied in) and the TRELLIS2_RECIPE_* variables the finish reads.
#
# trellis2_finish_package_python()
#   After the recipe's modules: stages the Python from the input wheel
#   (TRELLIS2_PYTHON_FROM=wheel: `trellis2_wheel stage-wheel`, which leaves
#   the wheel's native files out and reports those the build does not
#   replace) or from the pinned source (file copies, then `make-dist-info
#   --source`, which takes Requires-Python and the dependencies from the
#   source's pyproject.toml);
#   adds the target trellis2_api_check: every name the Python takes from a
#   native module must exist in the built module. A failure fails the build
#   and leaves no stamp, so the next build checks again. With
#   TRELLIS2_API_CHECK=deliver it runs at install and wheels time instead.
#   RECORD is not written here: install and repack compute it.

include_guard(GLOBAL)
include(Stage)

# The pin list the wheel tool reads (third_party/wheels.cmake): staging
# depends on it, so a changed pin restages.
get_filename_component(TRELLIS2_WHEEL_PINS "${CMAKE_CURRENT_LIST_DIR}/../../third_party/wheels.cmake" ABSOLUTE)

macro(trellis2_begin_package_python)
  cmake_parse_arguments(_python "" "DIST;VERSION" "PACKAGES" ${ARGN})
  if(NOT _python_DIST OR NOT _python_PACKAGES OR (TRELLIS2_PYTHON_FROM STREQUAL "source" AND NOT _python_VERSION))
    message(FATAL_ERROR "trellis2_begin_package_python: DIST and PACKAGES are required, and VERSION with Python from source")
  endif()
  if(TRELLIS2_PYTHON_FROM STREQUAL "wheel" AND NOT EXISTS "${TRELLIS2_PACKAGE_WHEEL}")
    message(FATAL_ERROR "TRELLIS2_PYTHON_FROM=wheel, but no wheel was given for ${_python_DIST} "
      "(TRELLIS2_PACKAGE_WHEEL='${TRELLIS2_PACKAGE_WHEEL}'). Configure through the superbuild with -DTRELLIS2_WHEEL_DIR=...")
  endif()
  set(TRELLIS2_RECIPE_DIST "${_python_DIST}")
  set(TRELLIS2_RECIPE_VERSION "${_python_VERSION}")
  set(TRELLIS2_RECIPE_PYTHON_PACKAGES ${_python_PACKAGES})
  set(TRELLIS2_PYTHON_STAMP "${CMAKE_BINARY_DIR}/python-staged.json")
  set(TRELLIS2_API_CHECK_STAMP "${CMAKE_BINARY_DIR}/api-check.ok")
endmacro()

function(trellis2_finish_package_python)
  if(NOT TRELLIS2_RECIPE_DIST)
    message(FATAL_ERROR "trellis2_finish_recipe() without trellis2_recipe(): call trellis2_recipe(<pkg> ...) first")
  endif()
  get_property(modules GLOBAL PROPERTY TRELLIS2_MODULES)
  get_property(staged_modules GLOBAL PROPERTY TRELLIS2_STAGED_MODULES)
  _trellis2_python_stage_rule("${modules}")
  _trellis2_api_check_target("${staged_modules}")
  _trellis2_modules_json("${modules}")
endfunction()

# The rule that writes TRELLIS2_PYTHON_STAMP: the Python from the wheel, or
# from the source with a dist-info written for it.
function(_trellis2_python_stage_rule modules)
  if(TRELLIS2_PYTHON_FROM STREQUAL "wheel")
    add_custom_command(OUTPUT "${TRELLIS2_PYTHON_STAMP}"
      COMMAND ${TRELLIS2_WHEEL_TOOL} stage-wheel "${TRELLIS2_PACKAGE_WHEEL}" --stage "${TRELLIS2_STAGE_DIR}"
        --native ${modules} --report "${TRELLIS2_PYTHON_STAMP}" --pins "${TRELLIS2_WHEEL_PINS}"
      DEPENDS "${TRELLIS2_PACKAGE_WHEEL}" "${TRELLIS2_WHEEL_PINS}"
      COMMENT "Staging the Python of ${TRELLIS2_PACKAGE_WHEEL}"
      VERBATIM)
    return()
  endif()
  # A module without a package (_nvdiffrast_c) is a top-level name too.
  set(top_level ${TRELLIS2_RECIPE_PYTHON_PACKAGES})
  foreach(module IN LISTS modules)
    if(NOT module MATCHES "\\.")
      list(APPEND top_level "${module}")
    endif()
  endforeach()
  trellis2_stage_python(staged_python ${TRELLIS2_RECIPE_PYTHON_PACKAGES})
  add_custom_command(OUTPUT "${TRELLIS2_PYTHON_STAMP}"
    COMMAND ${TRELLIS2_WHEEL_TOOL} make-dist-info --stage "${TRELLIS2_STAGE_DIR}"
      --name "${TRELLIS2_RECIPE_DIST}" --version "${TRELLIS2_RECIPE_VERSION}" --top-level ${top_level}
      --source "${TRELLIS2_PACKAGE_SOURCE_DIR}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${TRELLIS2_PYTHON_STAMP}"
    DEPENDS ${staged_python} "${TRELLIS2_PACKAGE_SOURCE_DIR}/pyproject.toml"
    COMMENT "Writing the dist-info of ${TRELLIS2_RECIPE_DIST} ${TRELLIS2_RECIPE_VERSION} (Python from the source)"
    VERBATIM)
endfunction()

# trellis2_api_check: in every build (TRELLIS2_API_CHECK=build), or only when
# `cmake --install` and the wheels target ask for it (deliver: the kernel
# loop then skips a torch import per rebuild).
function(_trellis2_api_check_target staged_modules)
  set(checked "${TRELLIS2_API_CHECK_STAMP}")
  add_custom_command(OUTPUT "${checked}"
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${checked}"
    COMMAND ${TRELLIS2_WHEEL_TOOL} api-check --python "${TRELLIS2_STAGE_DIR}" --native "${TRELLIS2_STAGE_DIR}"
      --package ${TRELLIS2_RECIPE_PYTHON_PACKAGES} --interpreter "${Python3_EXECUTABLE}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${checked}"
    DEPENDS ${staged_modules} "${TRELLIS2_PYTHON_STAMP}"
    COMMENT "API check of ${TRELLIS2_RECIPE_DIST}"
    VERBATIM)
  set(all ALL)
  if(TRELLIS2_API_CHECK STREQUAL "deliver")
    set(all "")
  endif()
  add_custom_target(trellis2_api_check ${all} DEPENDS "${checked}")
endfunction()

# What the superbuild's build report reads: the modules and their files.
function(_trellis2_modules_json modules)
  set(entries "")
  foreach(module IN LISTS modules)
    list(APPEND entries "{\"import\": \"${module}\", \"file\": \"$<TARGET_FILE:${module}>\"}")
  endforeach()
  string(JOIN ",\n  " entries ${entries})
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/modules.json" CONTENT
    "{\"dist\": \"${TRELLIS2_RECIPE_DIST}\", \"api_check_stamp\": \"${TRELLIS2_API_CHECK_STAMP}\",\n \"modules\": [\n  ${entries}]}\n")
endfunction()
