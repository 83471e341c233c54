# Upstream: trellis2_add_upstream(<pkg>), the pull of one upstream: an
# ExternalProject `<pkg>-source` that only downloads and patches. Every
# package is compiled by the one native build (NativeBuild.cmake), which
# waits for all pulls.
#
# trellis2_add_upstream(<pkg> DEPENDS <target>...)
#   <pkg>     one of TRELLIS2_KNOWN_PACKAGES; its recipe is extensions/<pkg>/
#   DEPENDS   targets the pull waits for (the build-tree lock)
#
# The source comes from, in this order:
#   1. TRELLIS2_<PKG>_SOURCE_DIR   a local checkout (kernel work), used in
#                                  place, no patches applied
#   2. TRELLIS2_SOURCE_CACHE       <cache>/<pkg>-<commit>, a pre-fetched tree
#                                  of exactly the pinned commit, checked
#                                  against its manifest at every configure
#   3. the pin file                git clone at the pinned commit, submodules
#                                  recursively, then the pin's patches
# `cmake --build build --target <pkg>-source` gives the patched tree without
# compiling anything (kernel work).
#
# What the pull found is kept on the `<pkg>-source` target, read back with
# trellis2_upstream_fact(<pkg> <FACT> <out>):
#   ORIGIN      one line for the summary ("git <repo> @ <commit> + 1 patch(es)")
#   KIND        git | cache | local;  TREE  the tree it came from
#   PACKAGE_DIR the package's root inside the tree (the pin's PIN_SUBDIR)
#   REPOSITORY, COMMIT, DIST, PIN_FILE   the pin's
#   WHEEL       the input wheel ("" in source mode);  PATCHES  those applied

include_guard(GLOBAL)
include(ExternalProject)
include(InputWheels)
include("${PROJECT_SOURCE_DIR}/cmake/common/PinFile.cmake")
include("${PROJECT_SOURCE_DIR}/cmake/common/SourceCache.cmake")

function(trellis2_add_upstream pkg)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "DEPENDS")
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
  set(package_dir "${tree}")
  if(PIN_SUBDIR)
    string(APPEND package_dir "/${PIN_SUBDIR}")
  endif()
  ExternalProject_Add(${pkg}-source
    PREFIX "${CMAKE_BINARY_DIR}/_ep/${pkg}"
    SOURCE_DIR "${tree}"
    ${download}
    UPDATE_COMMAND ""
    PATCH_COMMAND ${patch_command}
    LIST_SEPARATOR "|"
    CONFIGURE_COMMAND ""
    BUILD_COMMAND ""
    INSTALL_COMMAND ""
    DEPENDS ${arg_DEPENDS})
  set_target_properties(${pkg}-source PROPERTIES
    TRELLIS2_ORIGIN "${origin}" TRELLIS2_KIND ${kind} TRELLIS2_TREE "${origin_tree}"
    TRELLIS2_PACKAGE_DIR "${package_dir}" TRELLIS2_REPOSITORY "${PIN_REPOSITORY}"
    TRELLIS2_COMMIT ${PIN_COMMIT} TRELLIS2_DIST "${PIN_DIST}" TRELLIS2_PIN_FILE "${pin_file}"
    TRELLIS2_WHEEL "${wheel}" TRELLIS2_PATCHES "${applied_patches}")
endfunction()

# trellis2_upstream_fact(<pkg> <FACT> <out>): what trellis2_add_upstream found.
function(trellis2_upstream_fact pkg fact out)
  get_target_property(value ${pkg}-source TRELLIS2_${fact})
  if(value STREQUAL "value-NOTFOUND")
    set(value "")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
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
    _trellis2_owned_tree(${pkg} tree)
    set(download DOWNLOAD_COMMAND "${CMAKE_COMMAND}" "-DFROM=${_cached}" "-DTO=${tree}"
      -P "${PROJECT_SOURCE_DIR}/cmake/scripts/copy_tree.cmake")
  else()
    set(tree "${_cached}")
    set(download DOWNLOAD_COMMAND "")
  endif()
endmacro()

# The pinned commit, cloned at build time by fetch_pinned.cmake.
macro(_trellis2_source_from_git pkg pin_file)
  _trellis2_owned_tree(${pkg} tree)
  set(origin "git ${PIN_REPOSITORY} @ ${PIN_COMMIT}")
  set(kind git)
  set(origin_tree "${tree}")
  set(download DOWNLOAD_COMMAND "${CMAKE_COMMAND}"
    "-DREPOSITORY=${PIN_REPOSITORY}" "-DCOMMIT=${PIN_COMMIT}" "-DDEST=${tree}"
    "-DPIN_FILE=${pin_file}" "-DMARKER=${PIN_MARKER_PATH}"
    -P "${PROJECT_SOURCE_DIR}/cmake/scripts/fetch_pinned.cmake")
endmacro()

# Where a tree this build clones or patches lives: <build>/_src/<pkg>, or
# with TRELLIS2_TREES_DIR one path for every build tree of that commit and
# patch set (an existing tree is used as it is: fetch_pinned.cmake and
# copy_tree.cmake leave it, apply_patches.cmake finds its patches applied).
function(_trellis2_owned_tree pkg out)
  if(NOT TRELLIS2_TREES_DIR)
    set(${out} "${CMAKE_BINARY_DIR}/_src/${pkg}" PARENT_SCOPE)
    return()
  endif()
  set(name "${pkg}-${PIN_COMMIT}")
  if(PIN_PATCHES)
    set(digests "")
    foreach(patch IN LISTS PIN_PATCHES)
      file(SHA256 "${patch}" digest)
      string(APPEND digests "${digest}\n")
    endforeach()
    string(SHA256 digest "${digests}")
    string(SUBSTRING "${digest}" 0 12 digest)
    string(APPEND name "-patched-${digest}")
  endif()
  set(${out} "${TRELLIS2_TREES_DIR}/${name}" PARENT_SCOPE)
endfunction()

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
