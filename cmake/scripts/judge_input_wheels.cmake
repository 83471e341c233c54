# cmake -DABI_AUDIT=<exe> -DPOLICY=<file> -DLOAD_ARGS=<arg>|<arg> -DOUT=<json> -DWHEELS=<whl>|<whl> -P judge_input_wheels.cmake
# What each input wheel would do where this build's modules go (added by
# extensions/CMakeLists.txt in wheel mode): its device code against the
# requested architectures, its natives against this torch's libraries.
# Report only (the natives are replaced anyway): abi-audit --report-only
# writes the JSON the build report reads; its text would only repeat it in
# the log, so it is kept out. Fails only when a wheel cannot be read.
string(REPLACE "|" ";" load_args "${LOAD_ARGS}")
string(REPLACE "|" ";" wheels "${WHEELS}")
execute_process(COMMAND "${ABI_AUDIT}" --report-only --policy "${POLICY}" ${load_args} --format json
    --json-out "${OUT}" ${wheels}
  OUTPUT_QUIET ERROR_VARIABLE errors RESULT_VARIABLE result)
if(NOT result STREQUAL "0")
  file(REMOVE "${OUT}")
  message(FATAL_ERROR "abi-audit could not judge the input wheels (exit ${result}): ${errors}")
endif()
