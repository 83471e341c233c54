# PinFile: a package's pin file (third_party/<pkg>.cmake) read into PIN_*
# variables and checked, for the superbuild (Upstream.cmake) and the cmake -P
# scripts (fill_source_cache.cmake) alike.
#
# trellis2_pin_file(<pkg> <repo> <out>)
#   The pin file <pkg> uses: TRELLIS2_<PKG>_PIN_FILE when set (a relative path
#   is under <repo>, whatever the working directory), else third_party/<pkg>.cmake.
#
# trellis2_read_pin(<pkg> <pin file> <repo>)
#   Sets in the caller: PIN_REPOSITORY, PIN_COMMIT (full SHA), PIN_SUBDIR,
#   PIN_MARKER, PIN_MARKER_PATH (<subdir>/<marker>: the file that proves a
#   tree is the package), PIN_PATCHES (absolute paths), PIN_PATCH_COUNT,
#   PIN_DIST (the distribution name, default <pkg>).

include_guard(GLOBAL)

function(trellis2_pin_file pkg repo out)
  string(TOUPPER "${pkg}" PKG)
  set(pin "${TRELLIS2_${PKG}_PIN_FILE}")
  if(NOT pin)
    set(pin "third_party/${pkg}.cmake")
  endif()
  if(NOT IS_ABSOLUTE "${pin}")
    set(pin "${repo}/${pin}")  # third_party/o_voxel-visualbruno.cmake
  endif()
  set(${out} "${pin}" PARENT_SCOPE)
endfunction()

function(trellis2_read_pin pkg pin_file repo)
  string(TOUPPER "${pkg}" PKG)
  if(NOT EXISTS "${pin_file}")
    message(FATAL_ERROR "No pin file for ${pkg}: ${pin_file} does not exist. "
      "Set TRELLIS2_${PKG}_PIN_FILE to a file like third_party/flex_gemm.cmake.")
  endif()
  set(PIN_SUBDIR "")
  set(PIN_PATCHES "")
  set(PIN_DIST "${pkg}")  # the distribution (wheel) name, when it differs from the package's
  include("${pin_file}")
  if(NOT PIN_COMMIT MATCHES "^[0-9a-f]+$" OR NOT PIN_COMMIT MATCHES "^........................................$")
    message(FATAL_ERROR "${pin_file}: PIN_COMMIT '${PIN_COMMIT}' is not a full 40-character commit SHA. "
      "Expand it with: git rev-parse <short-sha>")
  endif()
  if(NOT PIN_REPOSITORY OR NOT PIN_MARKER)
    message(FATAL_ERROR "${pin_file}: PIN_REPOSITORY and PIN_MARKER must be set")
  endif()
  set(marker_path "${PIN_MARKER}")
  if(PIN_SUBDIR)
    set(marker_path "${PIN_SUBDIR}/${PIN_MARKER}")
  endif()
  # Patches are named relative to third_party/patches/<pkg>/ (or absolute).
  set(patches "")
  foreach(patch IN LISTS PIN_PATCHES)
    set(path "${patch}")
    if(NOT IS_ABSOLUTE "${path}")
      set(path "${repo}/third_party/patches/${pkg}/${patch}")
    endif()
    if(NOT EXISTS "${path}")
      message(FATAL_ERROR "${pin_file} lists patch '${patch}', but ${path} does not exist")
    endif()
    list(APPEND patches "${path}")
  endforeach()
  list(LENGTH patches count)
  foreach(var REPOSITORY COMMIT SUBDIR MARKER DIST)
    set(PIN_${var} "${PIN_${var}}" PARENT_SCOPE)
  endforeach()
  set(PIN_MARKER_PATH "${marker_path}" PARENT_SCOPE)
  set(PIN_PATCHES "${patches}" PARENT_SCOPE)
  set(PIN_PATCH_COUNT "${count}" PARENT_SCOPE)
endfunction()
