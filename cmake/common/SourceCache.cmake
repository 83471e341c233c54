# SourceCache: a TRELLIS2_SOURCE_CACHE entry is <cache>/<pkg>-<commit>/ and
# beside it <pkg>-<commit>.manifest, the sha256 of every file of the tree as
# fill_source_cache.cmake cloned it. The superbuild builds from the tree only
# while it still matches its manifest: the directory name and the marker file
# say which tree it claims to be, the manifest proves the content.
#
# trellis2_cache_entry(<cache> <pkg> <commit> <out_dir> <out_manifest>)
# trellis2_source_manifest(<tree> <commit> <out>)   the manifest text of a tree
# trellis2_write_source_manifest(<tree> <commit> <file>)
# trellis2_check_manifest(<tree> <commit> <file> <out>)
#   <out>: empty when the tree matches, else what differs first (a sentence
#   naming the file, what was found and what was expected).
# trellis2_fill_command(<cache> <pkg> <pin file> <repo> <out>)
#   The command that fills or refills one entry, for error messages.

include_guard(GLOBAL)

function(trellis2_cache_entry cache pkg commit out_dir out_manifest)
  set(${out_dir} "${cache}/${pkg}-${commit}" PARENT_SCOPE)
  set(${out_manifest} "${cache}/${pkg}-${commit}.manifest" PARENT_SCOPE)
endfunction()

# Every file the recipes could read: all but git's metadata (.git directories,
# and the .git files of submodules) and Python's byte-code caches.
function(trellis2_source_manifest tree commit out)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${tree}" "${tree}/*")
  list(FILTER files EXCLUDE REGEX "(^|/)(\\.git|__pycache__)(/|$)")
  list(SORT files)
  set(text "commit ${commit}\n")
  foreach(path IN LISTS files)
    if(IS_SYMLINK "${tree}/${path}")
      file(READ_SYMLINK "${tree}/${path}" target)
      string(SHA256 hash "symlink ${target}")
    else()
      file(SHA256 "${tree}/${path}" hash)
    endif()
    string(APPEND text "${hash}  ${path}\n")
  endforeach()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(trellis2_write_source_manifest tree commit file)
  trellis2_source_manifest("${tree}" "${commit}" text)
  file(WRITE "${file}" "${text}")
endfunction()

function(trellis2_check_manifest tree commit file out)
  if(NOT EXISTS "${file}")
    set(${out} "found no manifest ${file}, expected the one fill_source_cache.cmake writes beside each tree" PARENT_SCOPE)
    return()
  endif()
  file(READ "${file}" expected)
  trellis2_source_manifest("${tree}" "${commit}" found)
  if(found STREQUAL expected)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  # Both are sorted by path: the first line that differs names the file.
  string(REPLACE ";" "\\;" expected "${expected}")
  string(REPLACE ";" "\\;" found "${found}")
  string(REPLACE "\n" ";" expected "${expected}")
  string(REPLACE "\n" ";" found "${found}")
  foreach(want have IN ZIP_LISTS expected found)
    if(want STREQUAL have)
      continue()
    endif()
    string(REGEX REPLACE "^[^ ]+ +" "" want_path "${want}")
    string(REGEX REPLACE "^[^ ]+ +" "" have_path "${have}")
    string(REGEX MATCH "^[^ ]+" want_hash "${want}")
    string(REGEX MATCH "^[^ ]+" have_hash "${have}")
    if(want MATCHES "^commit " OR have MATCHES "^commit ")
      set(diff "the manifest is for '${want}', expected 'commit ${commit}'")
    elseif(want_path STREQUAL have_path)
      set(diff "${want_path}: found sha256 ${have_hash}, expected ${want_hash}")
    elseif(have STREQUAL "" OR (NOT want STREQUAL "" AND want_path STRLESS have_path))
      set(diff "${want_path}: found no such file, expected it with sha256 ${want_hash}")
    else()
      set(diff "${have_path}: found a file the manifest does not list")
    endif()
    set(${out} "${diff}" PARENT_SCOPE)
    return()
  endforeach()
endfunction()

function(trellis2_fill_command cache pkg pin_file repo out)
  string(TOUPPER "${pkg}" PKG)
  set(${out} "cmake -DTRELLIS2_SOURCE_CACHE=${cache} -DTRELLIS2_PACKAGES=${pkg} -DTRELLIS2_${PKG}_PIN_FILE=${pin_file} -P ${repo}/cmake/scripts/fill_source_cache.cmake" PARENT_SCOPE)
endfunction()
