# cmake -DOUT=<build>/compile_commands.json -DINPUTS=<a.json|b.json> -P merge_compile_commands.cmake
#
# One compile_commands.json at the top of the build tree covering every
# package sub-build, so clangd (which looks there) resolves the upstream
# sources with their exact flags. Rewritten only when it changes.

string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(entries "")
foreach(input IN LISTS INPUTS)
  if(NOT EXISTS "${input}")
    continue()  # a package not configured yet
  endif()
  file(READ "${input}" json)
  string(JSON count LENGTH "${json}")
  math(EXPR last "${count} - 1")
  if(count GREATER 0)
    foreach(i RANGE ${last})
      string(JSON entry GET "${json}" ${i})
      list(APPEND entries "${entry}")
    endforeach()
  endif()
endforeach()
string(JOIN ",\n" body ${entries})
file(WRITE "${OUT}.tmp" "[\n${body}\n]\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
