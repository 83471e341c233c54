# Json: the one place that knows JSON's string escapes, for every CMake file
# and script that writes JSON (the report's configuration, the native
# build's manifest, sccache's state, the wheels' platform tags).
#
# trellis2_json_string(<out> <value>)   <out> = "<value>" as a JSON string literal
# trellis2_json_set(<json var> <value> <member>...)
#   sets a string member; the value comes first, as one argument: a value may
#   hold ';' (an origin with its input wheel)

include_guard(GLOBAL)

function(trellis2_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\r" "\\r" value "${value}")
  string(REPLACE "\t" "\\t" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

function(trellis2_json_set json value)
  trellis2_json_string(value "${value}")
  string(JSON ${json} SET "${${json}}" ${ARGN} "${value}")
  set(${json} "${${json}}" PARENT_SCOPE)
endfunction()
