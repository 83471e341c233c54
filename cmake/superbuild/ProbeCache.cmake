# ProbeCache: the torch probe's answers, kept by the digest of their inputs
# (probe_torch.py --fingerprint: the interpreter, its import path, torch's
# files, CUDA_HOME, the architecture list) in
# TRELLIS2_CONFIGURE_CACHE_DIR/torch-probe/, so a fresh build tree skips
# `import torch` (3-4.5 s before the first compile) when this machine asked
# the same torch before. The key is the digest itself: an answer is only
# ever read for the inputs it was asked with.
#
#   trellis2_probe_cache_read(<fingerprint> <answer file> <found var>)
#     Copies the kept answer to <answer file>; <found var> TRUE if there was
#     one that reads as a probe's answer.
#   trellis2_probe_cache_write(<fingerprint> <answer file>)
#     Keeps <answer file>; a cache that cannot be written only says so.

include_guard(GLOBAL)

# The kept answer's file for <fingerprint>, or "" where none is kept: no
# directory, or no fingerprint (probe_torch.py could not locate torch).
function(_trellis2_probe_cache_path fingerprint out)
  set(path "")
  if(TRELLIS2_CONFIGURE_CACHE_DIR AND fingerprint MATCHES "^[0-9a-f]+$")
    set(path "${TRELLIS2_CONFIGURE_CACHE_DIR}/torch-probe/${fingerprint}.cmake")
  endif()
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

function(trellis2_probe_cache_read fingerprint answer found_var)
  set(${found_var} FALSE PARENT_SCOPE)
  _trellis2_probe_cache_path("${fingerprint}" kept)
  if(NOT kept OR NOT EXISTS "${kept}")
    return()
  endif()
  # A truncated or foreign file is asked again, not included.
  file(STRINGS "${kept}" versions REGEX "^set\\(TRELLIS2_FOUND_TORCH_VERSION ")
  file(STRINGS "${kept}" flags REGEX "^set\\(TRELLIS2_PYTHON_CFLAGS ")
  if(NOT versions OR NOT flags)
    return()
  endif()
  file(COPY_FILE "${kept}" "${answer}" RESULT copied)
  if(copied STREQUAL "0")
    set(${found_var} TRUE PARENT_SCOPE)
  endif()
endfunction()

function(trellis2_probe_cache_write fingerprint answer)
  _trellis2_probe_cache_path("${fingerprint}" kept)
  if(NOT kept)
    return()
  endif()
  # Written beside and renamed: a configure running at the same time reads a
  # whole answer or none.
  string(RANDOM LENGTH 8 tag)
  # (cmake -E: file(MAKE_DIRECTORY) stops the configure where HOME is read-only)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E make_directory "${TRELLIS2_CONFIGURE_CACHE_DIR}/torch-probe"
    RESULT_VARIABLE made OUTPUT_QUIET ERROR_QUIET)
  set(copied "${made}")
  if(made EQUAL 0)
    file(COPY_FILE "${answer}" "${kept}.${tag}.tmp" RESULT copied)
  endif()
  if(copied STREQUAL "0")
    file(RENAME "${kept}.${tag}.tmp" "${kept}" RESULT renamed)
  endif()
  if(NOT copied STREQUAL "0" OR NOT renamed STREQUAL "0")
    file(REMOVE "${kept}.${tag}.tmp")
    message(STATUS "torch: could not keep the probe's answer in TRELLIS2_CONFIGURE_CACHE_DIR (${TRELLIS2_CONFIGURE_CACHE_DIR}): "
      "${copied} ${renamed}; the next fresh build tree asks torch again")
  endif()
endfunction()
