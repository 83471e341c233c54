# Upstream: trellis2_add_upstream(<pkg>), one ExternalProject per package.
#
# trellis2_add_upstream(<pkg>)
#   <pkg>  one of TRELLIS2_KNOWN_PACKAGES; its recipe is extensions/<pkg>/
#
# The source comes from, in this order:
#   1. TRELLIS2_<PKG>_SOURCE_DIR   a local checkout (kernel work), used in
#                                  place, no patches applied
#   2. TRELLIS2_SOURCE_CACHE       <cache>/<pkg>-<commit>, a pre-fetched tree
#                                  of exactly the pinned commit, checked
#                                  against its manifest at every configure
#   3. the pin file                git clone at the pinned commit, submodules
#                                  recursively, then the pin's patches
# The package is configured with -C <sub-build cache> and
# -D<PKG>_SOURCE_DIR=<tree>/<PIN_SUBDIR>, and built on every superbuild build
# (its own Ninja decides what is out of date, so a no-op costs milliseconds).
# Sets the global property TRELLIS2_SOURCE_OF_<pkg> for the summary, and
# TRELLIS2_PROVENANCE_OF_<pkg> (KIND git|cache|local, TREE, REPOSITORY,
# COMMIT, DIST, WHEEL, PATCHES applied) for the report and the SBOM.

include_guard(GLOBAL)
include(ExternalProject)
include(InputWheels)
include("${PROJECT_SOURCE_DIR}/cmake/common/PinFile.cmake")
include("${PROJECT_SOURCE_DIR}/cmake/common/SourceCache.cmake")

function(trellis2_add_upstream pkg)
  string(TOUPPER "${pkg}" PKG)
  trellis2_pin_file(${pkg} "${PROJECT_SOURCE_DIR}" pin_file)
  trellis2_read_pin(${pkg} "${pin_file}" "${PROJECT_SOURCE_DIR}")
  if(TRELLIS2_${PKG}_SOURCE_DIR)
    _trellis2_source_from_checkout(${pkg})
  elseif(TRELLIS2_SOURCE_CACHE)
    _trellis2_source_from_cache(${pkg} "${pin_file}")
  else()
    _trellis2_source_from_git(${pkg} "${pin_file}")
  endif()
  _trellis2_patch_step(${pkg} "${pin_file}")
  trellis2_input_wheel(${pkg} "${PIN_DIST}" wheel)
  if(wheel)
    string(APPEND origin "; Python from ${wheel}")
  endif()
  _trellis2_external_project(${pkg})
  set_property(GLOBAL PROPERTY TRELLIS2_SOURCE_OF_${pkg} "${origin}")
  set_property(GLOBAL PROPERTY TRELLIS2_PROVENANCE_OF_${pkg} KIND ${kind} TREE "${origin_tree}"
    REPOSITORY "${PIN_REPOSITORY}" COMMIT ${PIN_COMMIT} DIST "${PIN_DIST}" WHEEL "${wheel}"
    PATCHES ${applied_patches})
  set_property(GLOBAL APPEND PROPERTY TRELLIS2_DISTS "${PIN_DIST}")
endfunction()

# trellis2_package_binary_dir(<pkg> <out>): the build tree of a package's
# sub-build, read by the delivery, report and compile-commands steps.
function(trellis2_package_binary_dir pkg out)
  set(${out} "${CMAKE_BINARY_DIR}/packages/${pkg}" PARENT_SCOPE)
endfunction()

# The steps below are macros: each sets, in trellis2_add_upstream's scope,
# `tree` (the source tree), `origin` (for the summary and the report),
# `kind` and `origin_tree` (the tree the source came from: the checkout, the
# cache entry, or the clone), `download` and `patch_command` (the
# ExternalProject steps), `applied_patches` (the pin's, unless a checkout).

# A local checkout, built in place: no download, and no patches, which
# would edit the developer's files.
macro(_trellis2_source_from_checkout pkg)
  set(tree "${TRELLIS2_${PKG}_SOURCE_DIR}")
  _trellis2_check_tree(${pkg} "${tree}" "TRELLIS2_${PKG}_SOURCE_DIR")
  set(origin "local ${tree}")
  set(kind local)
  set(origin_tree "${tree}")
  if(PIN_PATCHES)
    string(APPEND origin " (pin's patches not applied)")
  endif()
  set(download DOWNLOAD_COMMAND "")
endmacro()

# A source-cache entry, used only while it matches its manifest.
macro(_trellis2_source_from_cache pkg pin_file)
  trellis2_cache_entry("${TRELLIS2_SOURCE_CACHE}" ${pkg} ${PIN_COMMIT} _cached _manifest)
  trellis2_fill_command("${TRELLIS2_SOURCE_CACHE}" ${pkg} "${pin_file}" "${PROJECT_SOURCE_DIR}" _fill)
  if(NOT IS_DIRECTORY "${_cached}")
    message(FATAL_ERROR "TRELLIS2_SOURCE_CACHE=${TRELLIS2_SOURCE_CACHE} has no ${pkg}-${PIN_COMMIT}/ "
      "(the commit pinned in ${pin_file}).\nFill it with: ${_fill}")
  endif()
  _trellis2_check_tree(${pkg} "${_cached}" "TRELLIS2_SOURCE_CACHE")
  trellis2_check_manifest("${_cached}" ${PIN_COMMIT} "${_manifest}" _diff)
  if(_diff)
    message(FATAL_ERROR "TRELLIS2_SOURCE_CACHE: ${_cached} is not the tree of ${pkg} at ${PIN_COMMIT} "
      "that the source cache recorded: ${_diff}.\nNothing is built from it. Refill the entry (it is replaced "
      "only once a new clone succeeded) with: ${_fill}")
  endif()
  set(origin "cache ${_cached}")
  set(kind cache)
  set(origin_tree "${_cached}")
  if(PIN_PATCHES)
    # The cache is shared: patch a copy, never the cache itself.
    set(tree "${CMAKE_BINARY_DIR}/_src/${pkg}")
    set(download DOWNLOAD_COMMAND "${CMAKE_COMMAND}" -E copy_directory "${_cached}" "${tree}")
  else()
    set(tree "${_cached}")
    set(download DOWNLOAD_COMMAND "")
  endif()
endmacro()

# The pinned commit, cloned at build time by fetch_pinned.cmake.
macro(_trellis2_source_from_git pkg pin_file)
  set(tree "${CMAKE_BINARY_DIR}/_src/${pkg}")
  set(origin "git ${PIN_REPOSITORY} @ ${PIN_COMMIT}")
  set(kind git)
  set(origin_tree "${tree}")
  set(download DOWNLOAD_COMMAND "${CMAKE_COMMAND}"
    "-DREPOSITORY=${PIN_REPOSITORY}" "-DCOMMIT=${PIN_COMMIT}" "-DDEST=${tree}"
    "-DPIN_FILE=${pin_file}" "-DMARKER=${PIN_MARKER_PATH}"
    -P "${PROJECT_SOURCE_DIR}/cmake/scripts/fetch_pinned.cmake")
endmacro()

# The pin's patches, applied to every tree this build owns (not a checkout).
macro(_trellis2_patch_step pkg pin_file)
  set(patch_command "")
  set(applied_patches "")
  if(PIN_PATCHES AND NOT TRELLIS2_${PKG}_SOURCE_DIR)
    set(applied_patches ${PIN_PATCHES})
    string(REPLACE ";" "|" _patch_list "${PIN_PATCHES}")
    set(patch_command "${CMAKE_COMMAND}" "-DSOURCE_DIR=${tree}" "-DPATCHES=${_patch_list}"
      "-DPIN_FILE=${pin_file}" "-DCOMMIT=${PIN_COMMIT}" -P "${PROJECT_SOURCE_DIR}/cmake/scripts/apply_patches.cmake")
    string(APPEND origin " + ${PIN_PATCH_COUNT} patch(es)")
  endif()
endmacro()

# The package's ExternalProject: its recipe configured with the shared
# sub-build cache, pointed at the package inside the tree.
macro(_trellis2_external_project pkg)
  set(_recipe_dir "${PROJECT_SOURCE_DIR}/extensions/${pkg}")
  set(_package_dir "${tree}")
  if(PIN_SUBDIR)
    string(APPEND _package_dir "/${PIN_SUBDIR}")
  endif()
  trellis2_package_binary_dir(${pkg} _binary_dir)
  ExternalProject_Add(${pkg}
    PREFIX "${CMAKE_BINARY_DIR}/_ep/${pkg}"
    SOURCE_DIR "${tree}"
    BINARY_DIR "${_binary_dir}"
    ${download}
    UPDATE_COMMAND ""
    PATCH_COMMAND ${patch_command}
    LIST_SEPARATOR "|"
    # Both under TRELLIS2_SUBBUILD_ENV: no CC/CXX/CUDAHOSTCXX/NVCC_*/...FLAGS
    # of the configure or build environment reaches a compile or a link.
    CONFIGURE_COMMAND ${TRELLIS2_SUBBUILD_ENV} "${CMAKE_COMMAND}" -G Ninja -S "${_recipe_dir}" -B <BINARY_DIR>
      -C "${TRELLIS2_SUBBUILD_CACHE}" "-D${PKG}_SOURCE_DIR=${_package_dir}"
      "-DTRELLIS2_PACKAGE_DIST=${PIN_DIST}" "-DTRELLIS2_PACKAGE_WHEEL=${wheel}"
    BUILD_COMMAND ${TRELLIS2_SUBBUILD_ENV} "${CMAKE_COMMAND}" --build <BINARY_DIR> ${TRELLIS2_SUBBUILD_JOBS_ARGS}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    # <pkg>-patch gives the patched source without building (kernel work).
    STEP_TARGETS download patch)
  # Packages build at the same time (no console pool): JobPool.cmake caps
  # their compile jobs together. A changed toolchain or recipe reconfigures
  # the sub-build.
  ExternalProject_Add_StepDependencies(${pkg} configure
    "${TRELLIS2_SUBBUILD_CACHE}" "${_recipe_dir}/CMakeLists.txt")
  # Tools the sub-build runs (jobslot as launcher, abi-audit) are needed from
  # its configure step on; pulling and patching do not wait for them.
  if(TRELLIS2_SUBBUILD_DEPENDS)
    ExternalProject_Add_StepDependencies(${pkg} configure ${TRELLIS2_SUBBUILD_DEPENDS})
  endif()
endmacro()

# A directory given for a package must be that package (its pin's marker).
function(_trellis2_check_tree pkg dir variable)
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "${variable}: '${dir}' is not a directory. "
      "Expected a checkout of ${pkg} (${PIN_REPOSITORY}); clone it there or clear ${variable}.")
  endif()
  if(NOT EXISTS "${dir}/${PIN_MARKER_PATH}")
    message(FATAL_ERROR "${variable}: '${dir}' is not ${pkg}: it has no ${PIN_MARKER_PATH}. "
      "Expected a checkout of ${PIN_REPOSITORY}; point ${variable} at one.")
  endif()
endfunction()
