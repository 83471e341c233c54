# cmake -DFROM=<tree> -DTO=<dir> -P copy_tree.cmake
#
# The download step of a patched package from the source cache: a copy of
# the cache entry, which the patch step then patches (the cache itself is
# shared and never patched). A TO that a complete copy made is left alone,
# files and times, so another build tree sharing it (TRELLIS2_TREES_DIR)
# recompiles nothing; a copy is made beside TO and renamed into place, so a
# killed copy never passes for a complete one.
foreach(var FROM TO)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "copy_tree.cmake: -D${var}=... is required")
  endif()
endforeach()
set(_complete "${TO}/.trellis2-copy-complete")
if(EXISTS "${_complete}")
  message(STATUS "${TO}: copied from ${FROM} before, kept")
  return()
endif()
string(RANDOM LENGTH 8 _suffix)
set(_partial "${TO}.partial-${_suffix}")
file(REMOVE_RECURSE "${TO}")
file(COPY "${FROM}/" DESTINATION "${_partial}")
file(WRITE "${_partial}/.trellis2-copy-complete" "${FROM}\n")
file(RENAME "${_partial}" "${TO}" RESULT _renamed)
if(NOT _renamed STREQUAL "0")
  file(REMOVE_RECURSE "${_partial}")
  if(NOT EXISTS "${_complete}")
    message(FATAL_ERROR "Could not move the copy of ${FROM} to ${TO}: ${_renamed}. "
      "Check that ${TO}'s parent is writable, then build again.")
  endif()
endif()
