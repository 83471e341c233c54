# cmake -DTRELLIS2_SOURCE_CACHE=<dir> [-DTRELLIS2_PACKAGES=cumesh;flex_gemm;...]
#       [-DTRELLIS2_<PKG>_PIN_FILE=third_party/<other pin>.cmake] [-DTRELLIS2_ADOPT_TREES=ON]
#       -P fill_source_cache.cmake
#
# Fills a source cache for offline builds and Docker layer caching: each
# package's pinned commit, with submodules, as <dir>/<pkg>-<commit>/, and
# beside it <pkg>-<commit>.manifest (cmake/common/SourceCache.cmake), which
# the superbuild checks before it builds from the tree. Needs the network
# (it clones at the pins), except for entries that are already right.
#
# An existing entry is never lost: a clone goes into a temporary directory
# and replaces the entry only once it succeeded, so a failed (offline) refill
# leaves the cache as it was. An entry that is a clean git checkout of the
# pinned commit but has no manifest (a tree cloned by hand) gets one without
# cloning: git has already proved its content.
#
# TRELLIS2_ADOPT_TREES=ON writes the manifest of an entry that has neither a
# manifest nor .git (a tree exported with `git archive` on a machine that can
# reach the upstream, then copied to one that cannot) instead of cloning it
# again: nothing proves such a tree but the person who copied it, so this is
# only done when asked, and the entry must still have the pin's marker file.

cmake_minimum_required(VERSION 3.25)  # policies of the superbuild (IN_LIST, ZIP_LISTS)
get_filename_component(repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
include("${repo}/third_party/packages.cmake")
include("${repo}/cmake/common/PinFile.cmake")
include("${repo}/cmake/common/SourceCache.cmake")
find_package(Git REQUIRED)

if(NOT TRELLIS2_SOURCE_CACHE)
  message(FATAL_ERROR "Pass -DTRELLIS2_SOURCE_CACHE=<dir> (the cache to fill)")
endif()
if(NOT TRELLIS2_PACKAGES)
  set(TRELLIS2_PACKAGES ${TRELLIS2_DEFAULT_PACKAGES})
endif()

# A git checkout of <commit> with nothing changed, in itself or its submodules.
function(_clean_checkout dir commit out)
  set(${out} OFF PARENT_SCOPE)
  if(NOT EXISTS "${dir}/.git")
    return()
  endif()
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${dir}" rev-parse HEAD
    OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${dir}" status --porcelain --ignored=matching
    RESULT_VARIABLE rc OUTPUT_VARIABLE changes ERROR_QUIET)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${dir}" submodule status --recursive
    OUTPUT_VARIABLE submodules ERROR_QUIET)
  if(head STREQUAL commit AND rc EQUAL 0 AND changes STREQUAL "" AND NOT submodules MATCHES "(^|\n)[-+U]")
    set(${out} ON PARENT_SCOPE)
  endif()
endfunction()

# Clones <pkg> at its pin next to the entry, then swaps it into place.
function(_fill pkg entry manifest pin_file)
  string(RANDOM LENGTH 8 tag)
  get_filename_component(name "${entry}" NAME)
  set(fresh "${TRELLIS2_SOURCE_CACHE}/.${name}.new-${tag}")
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DREPOSITORY=${PIN_REPOSITORY}" "-DCOMMIT=${PIN_COMMIT}"
      "-DDEST=${fresh}" "-DPIN_FILE=${pin_file}" "-DMARKER=${PIN_MARKER_PATH}"
      -P "${repo}/cmake/scripts/fetch_pinned.cmake"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE "${fresh}")
    if(IS_DIRECTORY "${entry}")
      set(kept "${entry} is kept as it was")
    else()
      set(kept "nothing was written")
    endif()
    message(FATAL_ERROR "Could not fill ${TRELLIS2_SOURCE_CACHE} with ${pkg} (the clone above failed); ${kept}.")
  endif()
  trellis2_write_source_manifest("${fresh}" "${PIN_COMMIT}" "${fresh}.manifest")
  if(IS_DIRECTORY "${entry}")
    file(RENAME "${entry}" "${fresh}.old")
  endif()
  file(RENAME "${fresh}" "${entry}")
  file(RENAME "${fresh}.manifest" "${manifest}")
  file(REMOVE_RECURSE "${fresh}.old")
  message(STATUS "${entry}: cloned at ${PIN_COMMIT}, manifest written")
endfunction()

foreach(pkg IN LISTS TRELLIS2_PACKAGES)
  if(NOT pkg IN_LIST TRELLIS2_KNOWN_PACKAGES)
    message(FATAL_ERROR "TRELLIS2_PACKAGES names '${pkg}'; known packages: ${TRELLIS2_KNOWN_PACKAGES}")
  endif()
  trellis2_pin_file(${pkg} "${repo}" pin_file)
  trellis2_read_pin(${pkg} "${pin_file}" "${repo}")
  trellis2_cache_entry("${TRELLIS2_SOURCE_CACHE}" ${pkg} ${PIN_COMMIT} entry manifest)
  if(IS_DIRECTORY "${entry}" AND EXISTS "${manifest}")
    trellis2_check_manifest("${entry}" "${PIN_COMMIT}" "${manifest}" diff)
    if(NOT diff)
      message(STATUS "${entry}: matches its manifest")
      continue()
    endif()
    message(STATUS "${entry} differs from its manifest (${diff}): cloning it again")
  elseif(IS_DIRECTORY "${entry}")
    _clean_checkout("${entry}" ${PIN_COMMIT} clean)
    if(clean)
      trellis2_write_source_manifest("${entry}" "${PIN_COMMIT}" "${manifest}")
      message(STATUS "${entry}: a clean checkout of ${PIN_COMMIT}, manifest written")
      continue()
    endif()
    if(TRELLIS2_ADOPT_TREES AND NOT EXISTS "${entry}/.git")
      if(NOT EXISTS "${entry}/${PIN_MARKER_PATH}")
        message(FATAL_ERROR "TRELLIS2_ADOPT_TREES: ${entry} has no ${PIN_MARKER_PATH}, expected in every tree of "
          "${pkg} (${pin_file}). Export the pinned commit ${PIN_COMMIT} there, or drop TRELLIS2_ADOPT_TREES to clone it.")
      endif()
      trellis2_write_source_manifest("${entry}" "${PIN_COMMIT}" "${manifest}")
      message(STATUS "${entry}: adopted as ${pkg} at ${PIN_COMMIT} on your word (TRELLIS2_ADOPT_TREES), manifest written")
      continue()
    endif()
    message(STATUS "${entry} has no manifest and is not a clean checkout of ${PIN_COMMIT}: cloning it again")
  endif()
  _fill(${pkg} "${entry}" "${manifest}" "${pin_file}")
endforeach()
