# Upstream: trellis2_add_upstream(<pkg>), one ExternalProject per package.
#
# trellis2_add_upstream(<pkg>)
#   <pkg>  one of TRELLIS2_KNOWN_PACKAGES; its recipe is extensions/<pkg>/
#
# The source comes from, in this order:
#   1. TRELLIS2_<PKG>_SOURCE_DIR   a local checkout (kernel work), used in
#                                  place, no patches applied
#   2. TRELLIS2_SOURCE_CACHE       <cache>/<pkg>-<commit>, a pre-fetched tree
#                                  of exactly the pinned commit
#   3. the pin file                git clone at the pinned commit, submodules
#                                  recursively, then the pin's patches
# The package is configured with -C <sub-build cache> and
# -D<PKG>_SOURCE_DIR=<tree>/<PIN_SUBDIR>, and built on every superbuild build
# (its own Ninja decides what is out of date, so a no-op costs milliseconds).
# Sets the global property TRELLIS2_SOURCE_OF_<pkg> for the summary.

include_guard(GLOBAL)
include(ExternalProject)
include(InputWheels)

function(trellis2_add_upstream pkg)
  string(TOUPPER "${pkg}" PKG)
  set(pin_file "${TRELLIS2_${PKG}_PIN_FILE}")
  if(NOT IS_ABSOLUTE "${pin_file}")
    set(pin_file "${PROJECT_SOURCE_DIR}/${pin_file}")  # third_party/o_voxel-visualbruno.cmake
  endif()
  _trellis2_read_pin("${pkg}" "${pin_file}")
  set(recipe_dir "${PROJECT_SOURCE_DIR}/extensions/${pkg}")
  set(local_dir "${TRELLIS2_${PKG}_SOURCE_DIR}")
  set(patch_command "")
  set(download DOWNLOAD_COMMAND "")

  if(local_dir)
    _trellis2_check_tree("${pkg}" "${local_dir}" "TRELLIS2_${PKG}_SOURCE_DIR")
    set(tree "${local_dir}")
    set(origin "local ${local_dir}")
    if(PIN_PATCHES)
      string(APPEND origin " (pin's patches not applied)")
    endif()
  elseif(TRELLIS2_SOURCE_CACHE)
    set(cached "${TRELLIS2_SOURCE_CACHE}/${pkg}-${PIN_COMMIT}")
    if(NOT IS_DIRECTORY "${cached}")
      message(FATAL_ERROR "TRELLIS2_SOURCE_CACHE=${TRELLIS2_SOURCE_CACHE} has no ${pkg}-${PIN_COMMIT}/ "
        "(the commit pinned in ${pin_file}).\nFill it with: cmake -DTRELLIS2_SOURCE_CACHE=${TRELLIS2_SOURCE_CACHE} "
        "-DTRELLIS2_PACKAGES=${pkg} -P ${PROJECT_SOURCE_DIR}/cmake/scripts/fill_source_cache.cmake")
    endif()
    _trellis2_check_tree("${pkg}" "${cached}" "TRELLIS2_SOURCE_CACHE")
    set(origin "cache ${cached}")
    if(PIN_PATCHES)
      # The cache is shared: patch a copy, never the cache itself.
      set(tree "${CMAKE_BINARY_DIR}/_src/${pkg}")
      set(download DOWNLOAD_COMMAND "${CMAKE_COMMAND}" -E copy_directory "${cached}" "${tree}")
    else()
      set(tree "${cached}")
    endif()
  else()
    set(tree "${CMAKE_BINARY_DIR}/_src/${pkg}")
    set(origin "git ${PIN_REPOSITORY} @ ${PIN_COMMIT}")
    set(download DOWNLOAD_COMMAND "${CMAKE_COMMAND}"
      "-DREPOSITORY=${PIN_REPOSITORY}" "-DCOMMIT=${PIN_COMMIT}" "-DDEST=${tree}"
      "-DPIN_FILE=${pin_file}" "-DMARKER=${PIN_SUBDIR_PREFIX}${PIN_MARKER}"
      -P "${PROJECT_SOURCE_DIR}/cmake/scripts/fetch_pinned.cmake")
  endif()
  if(PIN_PATCHES AND NOT local_dir)
    string(REPLACE ";" "|" patch_list "${PIN_PATCHES}")
    set(patch_command "${CMAKE_COMMAND}" "-DSOURCE_DIR=${tree}" "-DPATCHES=${patch_list}"
      "-DPIN_FILE=${pin_file}" "-DCOMMIT=${PIN_COMMIT}" -P "${PROJECT_SOURCE_DIR}/cmake/scripts/apply_patches.cmake")
    string(APPEND origin " + ${PIN_PATCH_COUNT} patch(es)")
  endif()

  trellis2_input_wheel(${pkg} "${PIN_DIST}" wheel)
  if(wheel)
    string(APPEND origin "; Python from ${wheel}")
  endif()
  set(package_dir "${tree}")
  if(PIN_SUBDIR)
    string(APPEND package_dir "/${PIN_SUBDIR}")
  endif()
  trellis2_package_binary_dir(${pkg} binary_dir)
  ExternalProject_Add(${pkg}
    PREFIX "${CMAKE_BINARY_DIR}/_ep/${pkg}"
    SOURCE_DIR "${tree}"
    BINARY_DIR "${binary_dir}"
    ${download}
    UPDATE_COMMAND ""
    PATCH_COMMAND ${patch_command}
    LIST_SEPARATOR "|"
    CONFIGURE_COMMAND "${CMAKE_COMMAND}" -G Ninja -S "${recipe_dir}" -B <BINARY_DIR>
      -C "${TRELLIS2_SUBBUILD_CACHE}" "-D${PKG}_SOURCE_DIR=${package_dir}"
      "-DTRELLIS2_PACKAGE_DIST=${PIN_DIST}" "-DTRELLIS2_PACKAGE_WHEEL=${wheel}"
    BUILD_COMMAND "${CMAKE_COMMAND}" --build <BINARY_DIR> ${TRELLIS2_SUBBUILD_JOBS_ARGS}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    # <pkg>-patch gives the patched source without building (kernel work).
    STEP_TARGETS download patch)
  # Packages build at the same time (no console pool): cmake/JobPool.cmake
  # caps their compile jobs together.
  # A changed toolchain or recipe reconfigures the sub-build.
  ExternalProject_Add_StepDependencies(${pkg} configure
    "${TRELLIS2_SUBBUILD_CACHE}" "${recipe_dir}/CMakeLists.txt")
  # Tools the sub-build runs (jobslot as launcher, abi-audit) are needed from
  # its configure step on; pulling and patching do not wait for them.
  if(TRELLIS2_SUBBUILD_DEPENDS)
    ExternalProject_Add_StepDependencies(${pkg} configure ${TRELLIS2_SUBBUILD_DEPENDS})
  endif()
  set_property(GLOBAL PROPERTY TRELLIS2_SOURCE_OF_${pkg} "${origin}")
  set_property(GLOBAL APPEND PROPERTY TRELLIS2_DISTS "${PIN_DIST}")
endfunction()

# trellis2_package_binary_dir(<pkg> <out>): the build tree of a package's
# sub-build, read by the delivery, report and compile-commands steps.
function(trellis2_package_binary_dir pkg out)
  set(${out} "${CMAKE_BINARY_DIR}/packages/${pkg}" PARENT_SCOPE)
endfunction()

# Reads a pin file into PIN_* variables of the caller and checks its form.
macro(_trellis2_read_pin pkg pin_file)
  if(NOT EXISTS "${pin_file}")
    message(FATAL_ERROR "No pin file for ${pkg}: ${pin_file} does not exist. "
      "Set TRELLIS2_${PKG}_PIN_FILE to a file like third_party/flex_gemm.cmake.")
  endif()
  foreach(_var REPOSITORY COMMIT SUBDIR MARKER PATCHES DIST)
    unset(PIN_${_var})
  endforeach()
  include("${pin_file}")
  if(NOT PIN_COMMIT MATCHES "^[0-9a-f]+$" OR NOT PIN_COMMIT MATCHES "^........................................$")
    message(FATAL_ERROR "${pin_file}: PIN_COMMIT '${PIN_COMMIT}' is not a full 40-character commit SHA. "
      "Expand it with: git rev-parse <short-sha>")
  endif()
  if(NOT PIN_REPOSITORY OR NOT PIN_MARKER)
    message(FATAL_ERROR "${pin_file}: PIN_REPOSITORY and PIN_MARKER must be set")
  endif()
  if(NOT PIN_DIST)
    set(PIN_DIST "${pkg}")  # the distribution (wheel) name, when it differs from the package's
  endif()
  set(PIN_SUBDIR_PREFIX "")
  if(PIN_SUBDIR)
    set(PIN_SUBDIR_PREFIX "${PIN_SUBDIR}/")
  endif()
  # Patches are named relative to third_party/patches/<pkg>/ (or absolute).
  set(_patches "")
  foreach(_patch IN LISTS PIN_PATCHES)
    set(_path "${_patch}")
    if(NOT IS_ABSOLUTE "${_path}")
      set(_path "${PROJECT_SOURCE_DIR}/third_party/patches/${pkg}/${_patch}")
    endif()
    if(NOT EXISTS "${_path}")
      message(FATAL_ERROR "${pin_file} lists patch '${_patch}', but ${_path} does not exist")
    endif()
    list(APPEND _patches "${_path}")
  endforeach()
  set(PIN_PATCHES "${_patches}")
  list(LENGTH PIN_PATCHES PIN_PATCH_COUNT)
endmacro()

# A directory given for a package must be that package (its pin's MARKER).
function(_trellis2_check_tree pkg dir variable)
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "${variable}: '${dir}' is not a directory. "
      "Expected a checkout of ${pkg} (${PIN_REPOSITORY}); clone it there or clear ${variable}.")
  endif()
  if(NOT EXISTS "${dir}/${PIN_SUBDIR_PREFIX}${PIN_MARKER}")
    message(FATAL_ERROR "${variable}: '${dir}' is not ${pkg}: it has no ${PIN_SUBDIR_PREFIX}${PIN_MARKER}. "
      "Expected a checkout of ${PIN_REPOSITORY}; point ${variable} at one.")
  endif()
endfunction()
