# PythonStage: the Python half of a package's stage and the API check that
# closes it. Used by Recipe.cmake; a recipe calls trellis2_recipe() first and
# trellis2_finish_recipe() last, so the module list is complete when the
# Python is staged and checked.
#
# trellis2_begin_package_python(DIST <name> VERSION <v> WHEEL <file> PACKAGES <dir>...)
#   DIST, VERSION  the distribution, as the input wheel names it (VERSION is
#                  needed only for a dist-info written from the source)
#   WHEEL          the input wheel (TRELLIS2_PYTHON_FROM=wheel), else ""
#   PACKAGES       its Python package directories (relative to the source)
#   Sets, in the recipe's scope, TRELLIS2_PYTHON_STAMP (every module's
#   staging copy depends on it, so the Python is in the stage before a module
#   is copied in) and the TRELLIS2_RECIPE_* variables the finish reads.
#
# trellis2_finish_package_python(<pkg>)
#   After the recipe's modules (the TRELLIS2_MODULES property of the target
#   <pkg>): stages the Python from the input wheel (`trellis2_wheel
#   stage-wheel`, which leaves the wheel's native files out and reports those
#   the build does not replace) or from the pinned source (file copies, then
#   `make-dist-info --source`, which takes Requires-Python and the
#   dependencies from the source's pyproject.toml);
#   adds the target <pkg>_api_check: every name the Python takes from a
#   native module must exist in the built module. A failure fails the build
#   and leaves no stamp, so the next build checks again. With
#   TRELLIS2_API_CHECK=build the target <pkg> depends on it; with deliver,
#   `cmake --install` and the wheels target run it (through api_check, which
#   the inner project adds over every package).
#   RECORD is not written here: install and repack compute it.
# All of it lives in the package's own binary directory (native/<pkg>/).

include_guard(GLOBAL)
include(Stage)

macro(trellis2_begin_package_python)
  cmake_parse_arguments(_python "" "DIST;VERSION;WHEEL" "PACKAGES" ${ARGN})
  if(NOT _python_DIST OR NOT _python_PACKAGES OR (TRELLIS2_PYTHON_FROM STREQUAL "source" AND NOT _python_VERSION))
    message(FATAL_ERROR "trellis2_begin_package_python: DIST and PACKAGES are required, and VERSION with Python from source")
  endif()
  if(TRELLIS2_PYTHON_FROM STREQUAL "wheel" AND NOT EXISTS "${_python_WHEEL}")
    message(FATAL_ERROR "TRELLIS2_PYTHON_FROM=wheel, but no wheel was given for ${_python_DIST} "
      "(WHEEL '${_python_WHEEL}'). Configure the superbuild with -DTRELLIS2_WHEEL_DIR=...")
  endif()
  set(TRELLIS2_RECIPE_DIST "${_python_DIST}")
  set(TRELLIS2_RECIPE_VERSION "${_python_VERSION}")
  set(TRELLIS2_RECIPE_WHEEL "${_python_WHEEL}")
  set(TRELLIS2_RECIPE_PYTHON_PACKAGES ${_python_PACKAGES})
  set(TRELLIS2_PYTHON_STAMP "${CMAKE_CURRENT_BINARY_DIR}/python-staged.json")
  set(TRELLIS2_API_CHECK_STAMP "${CMAKE_CURRENT_BINARY_DIR}/api-check.ok")
  _trellis2_forget_other_origin()
endmacro()

# The staged Python of another origin (wheel mode <-> source mode, another
# wheel or tree) is removed at configure, before any rule runs: a copy rule
# whose source did not change sees its output, overwritten since by the other
# origin, as newer and up to date, so a file of the old origin would stay
# (measured: the Torch291 wheel's edited cumesh/remeshing.py stayed in a
# source-mode stage). The package directories and the dist-info go; the
# modules staged in them are copied again, nothing compiles.
function(_trellis2_forget_other_origin)
  set(origin "${TRELLIS2_PYTHON_FROM}|${TRELLIS2_RECIPE_WHEEL}|${TRELLIS2_PACKAGE_SOURCE_DIR}")
  set(recorded "${CMAKE_CURRENT_BINARY_DIR}/python-origin.txt")
  set(before "")
  if(EXISTS "${recorded}")
    file(READ "${recorded}" before)
  endif()
  if(before STREQUAL origin)
    return()
  endif()
  if(before)
    file(GLOB dist_infos "${TRELLIS2_STAGE_DIR}/${TRELLIS2_RECIPE_DIST}-*.dist-info")
    list(TRANSFORM TRELLIS2_RECIPE_PYTHON_PACKAGES PREPEND "${TRELLIS2_STAGE_DIR}/" OUTPUT_VARIABLE dirs)
    file(REMOVE_RECURSE ${dirs} ${dist_infos} "${TRELLIS2_PYTHON_STAMP}")
    message(STATUS "${TRELLIS2_RECIPE_DIST}: the Python now comes from another origin; "
      "its stage is laid again (was: ${before})")
  endif()
  file(WRITE "${recorded}" "${origin}")
endfunction()

function(trellis2_finish_package_python pkg)
  get_target_property(modules ${pkg} TRELLIS2_MODULES)
  set(staged_modules "")
  foreach(module IN LISTS modules)
    get_target_property(staged ${module} TRELLIS2_STAGED_FILE)
    list(APPEND staged_modules "${staged}")
  endforeach()
  _trellis2_forget_stale_modules("${staged_modules}")
  _trellis2_python_stage_rule(${pkg} "${modules}")
  # The stamp's rule depends on every staged Python file, so the one target stages them all.
  add_custom_target(${pkg}_stage_python DEPENDS "${TRELLIS2_PYTHON_STAMP}")
  add_dependencies(${pkg} ${pkg}_stage_python)
  _trellis2_api_check_target(${pkg} "${staged_modules}")
endfunction()

# A native file in the package's staged directories that no module of the
# recipe stages any more (a module renamed or dropped) is removed at
# configure: the API check and the install would take it for a built one
# (measured: cumesh._xatlas renamed to _cumesh_xatlas in the recipe, the
# _xatlas.so of the build before stayed, and the API check passed).
function(_trellis2_forget_stale_modules staged_modules)
  set(stale "")
  foreach(dir IN LISTS TRELLIS2_RECIPE_PYTHON_PACKAGES)
    file(GLOB_RECURSE found "${TRELLIS2_STAGE_DIR}/${dir}/*")
    list(FILTER found INCLUDE REGEX "${TRELLIS2_NATIVE_PATTERN}")
    list(APPEND stale ${found})
  endforeach()
  if(stale AND staged_modules)
    list(REMOVE_ITEM stale ${staged_modules})
  endif()
  if(stale)
    # The API check saw them: it runs again.
    file(REMOVE ${stale} "${TRELLIS2_API_CHECK_STAMP}")
    message(STATUS "${TRELLIS2_RECIPE_DIST}: removed from the stage, no module of the recipe builds them: ${stale}")
  endif()
endfunction()

# The rule that writes TRELLIS2_PYTHON_STAMP: the Python from the wheel, or
# from the source with a dist-info written for it.
function(_trellis2_python_stage_rule pkg modules)
  if(TRELLIS2_PYTHON_FROM STREQUAL "wheel")
    add_custom_command(OUTPUT "${TRELLIS2_PYTHON_STAMP}"
      COMMAND ${TRELLIS2_WHEEL_TOOL} stage-wheel "${TRELLIS2_RECIPE_WHEEL}" --stage "${TRELLIS2_STAGE_DIR}"
        --native ${modules} --report "${TRELLIS2_PYTHON_STAMP}" --pins "${TRELLIS2_WHEEL_PINS}"
      DEPENDS "${TRELLIS2_RECIPE_WHEEL}" "${TRELLIS2_WHEEL_PINS}"
      COMMENT "Staging the Python of ${TRELLIS2_RECIPE_WHEEL}"
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

# <pkg>_api_check: in every build (TRELLIS2_API_CHECK=build), or only when
# `cmake --install` and the wheels target ask for it (deliver: the kernel
# loop then skips a torch import per rebuild).
function(_trellis2_api_check_target pkg staged_modules)
  set(checked "${TRELLIS2_API_CHECK_STAMP}")
  add_custom_command(OUTPUT "${checked}"
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${checked}"
    COMMAND ${TRELLIS2_WHEEL_TOOL} api-check --python "${TRELLIS2_STAGE_DIR}" --native "${TRELLIS2_STAGE_DIR}"
      --package ${TRELLIS2_RECIPE_PYTHON_PACKAGES} --interpreter "${TRELLIS2_PYTHON}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${checked}"
    DEPENDS ${staged_modules} "${TRELLIS2_PYTHON_STAMP}"
    COMMENT "API check of ${TRELLIS2_RECIPE_DIST}"
    VERBATIM)
  add_custom_target(${pkg}_api_check DEPENDS "${checked}")
  if(TRELLIS2_API_CHECK STREQUAL "build")
    add_dependencies(${pkg} ${pkg}_api_check)
  endif()
  add_dependencies(api_check ${pkg}_api_check)  # the inner project's, over every package
  set_target_properties(${pkg} PROPERTIES TRELLIS2_API_CHECK_STAMP "${checked}")
endfunction()
