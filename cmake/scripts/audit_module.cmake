# cmake -DABI_AUDIT=<exe> -DPOLICY=<name|file> -DMODULE=<module> -DSTAMP=<json> [-DLOAD_ARGS=<arg>|<arg>]
#       -P audit_module.cmake
# The ABI gate's command (added by cmake/recipe/Audit.cmake): audits one
# module; the JSON report becomes the stamp only when the audit passes.
function(_trellis2_audit_run)
  set(temp "${STAMP}.tmp")
  file(REMOVE "${STAMP}" "${temp}")
  if(NOT EXISTS "${ABI_AUDIT}")
    message(FATAL_ERROR "abi-audit not found at '${ABI_AUDIT}' (the native build's abi-audit target). "
      "Build it first: cmake --build <build>/native --target abi-audit")
  endif()
  # One run: the text report for the build log, the JSON report for the stamp.
  # LOAD_ARGS: --cuda-archs=... and --libs=..., '|'-separated (Audit.cmake).
  string(REPLACE "|" ";" load_args "${LOAD_ARGS}")
  execute_process(COMMAND "${ABI_AUDIT}" --policy "${POLICY}" ${load_args} --format text --json-out "${temp}" "${MODULE}"
    OUTPUT_VARIABLE text ERROR_VARIABLE errors RESULT_VARIABLE result)
  if(result STREQUAL "0")
    file(RENAME "${temp}" "${STAMP}")
    return()
  endif()
  file(REMOVE "${temp}")
  # Which version, which symbol: straight to the build log.
  message("${text}")
  if(result STREQUAL "1")
    set(why "violates ABI policy ${POLICY} (report above)")
  else()
    set(why "could not be audited (exit ${result}): ${errors}")
  endif()
  message(FATAL_ERROR "ABI gate: ${MODULE} ${why}.\n"
    "Fix the module (compiler, flags, link line), or pick another policy on purpose with "
    "-DTRELLIS2_ABI_POLICY=<name|file>; the gate reruns on the next build.")
endfunction()

_trellis2_audit_run()
