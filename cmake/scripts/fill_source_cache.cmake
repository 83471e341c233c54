# cmake -DTRELLIS2_SOURCE_CACHE=<dir> [-DTRELLIS2_PACKAGES=cumesh;flex_gemm;...]
#       [-DTRELLIS2_<PKG>_PIN_FILE=third_party/<other pin>.cmake] -P fill_source_cache.cmake
#
# Fills a source cache for offline builds and Docker layer caching: each
# package's pinned commit, with submodules, as <dir>/<pkg>-<commit>/. The
# superbuild then takes it with -DTRELLIS2_SOURCE_CACHE=<dir> and needs no
# network. Needs the network itself (it clones at the pins).

if(NOT TRELLIS2_SOURCE_CACHE)
  message(FATAL_ERROR "Pass -DTRELLIS2_SOURCE_CACHE=<dir> (the cache to fill)")
endif()
get_filename_component(repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT TRELLIS2_PACKAGES)
  set(TRELLIS2_PACKAGES cumesh flex_gemm o_voxel nvdiffrast)
endif()
foreach(pkg IN LISTS TRELLIS2_PACKAGES)
  # The pin the superbuild would use: TRELLIS2_<PKG>_PIN_FILE, else third_party/<pkg>.cmake.
  string(TOUPPER "${pkg}" PKG)
  set(pin_file "${repo}/third_party/${pkg}.cmake")
  if(TRELLIS2_${PKG}_PIN_FILE)
    set(pin_file "${TRELLIS2_${PKG}_PIN_FILE}")
    if(NOT IS_ABSOLUTE "${pin_file}")
      set(pin_file "${repo}/${pin_file}")
    endif()
  endif()
  if(NOT EXISTS "${pin_file}")
    message(FATAL_ERROR "No pin file ${pin_file} for '${pkg}'")
  endif()
  set(PIN_SUBDIR "")
  include("${pin_file}")
  set(marker "${PIN_MARKER}")
  if(PIN_SUBDIR)
    set(marker "${PIN_SUBDIR}/${PIN_MARKER}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DREPOSITORY=${PIN_REPOSITORY}" "-DCOMMIT=${PIN_COMMIT}"
      "-DDEST=${TRELLIS2_SOURCE_CACHE}/${pkg}-${PIN_COMMIT}" "-DPIN_FILE=${pin_file}" "-DMARKER=${marker}"
      -P "${repo}/cmake/scripts/fetch_pinned.cmake"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Could not fill ${TRELLIS2_SOURCE_CACHE} with ${pkg}")
  endif()
endforeach()
