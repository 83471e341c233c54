# cmake -DFROM=<tree> -DTO=<dir> -P copy_tree.cmake
#
# The download step of a patched package from the source cache: a copy of
# the cache entry, which the patch step then patches (the cache itself is
# shared and never patched). A TO that a complete copy made is left alone,
# files and times, so another build tree sharing it (TRELLIS2_TREES_DIR)
# recompiles nothing; a copy is made beside TO and renamed into place, so a
# killed copy never passes for a complete one. The copy is the owner's to
# patch: a read-only cache (a shared or mounted one) gives read-only files,
# which a user other than root could not patch, so u+w is added (the other
# mode bits, +x among them, stay the cache's).
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
execute_process(COMMAND chmod -R u+w "${_partial}" RESULT_VARIABLE _chmod ERROR_VARIABLE _chmod_err)
if(NOT _chmod EQUAL 0)
  message(FATAL_ERROR "Could not make the copy ${_partial} of ${FROM} writable (chmod -R u+w: ${_chmod_err}). "
    "Check that you own ${_partial}'s parent, then build again.")
endif()
file(WRITE "${_partial}/.trellis2-copy-complete" "${FROM}\n")
file(RENAME "${_partial}" "${TO}" RESULT _renamed)
if(NOT _renamed STREQUAL "0")
  file(REMOVE_RECURSE "${_partial}")
  if(NOT EXISTS "${_complete}")
    message(FATAL_ERROR "Could not move the copy of ${FROM} to ${TO}: ${_renamed}. "
      "Check that ${TO}'s parent is writable, then build again.")
  endif()
endif()
