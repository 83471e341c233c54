# Audit: the ABI gate, run by abi-audit right after a module is linked.
#
# trellis2_audit_module(<target> <stamp_file_var>)
#   <target>          the linked module (a library target of this project)
#   <stamp_file_var>  set in the caller's scope to the stamp file,
#                     ${CMAKE_CURRENT_BINARY_DIR}/audit/<target>.audit.json.
#                     Nothing runs the audit unless something depends on it:
#                     make the staging copy DEPEND on this file.
#
# Reads (cache variables the superbuild passes to each package sub-build):
#   TRELLIS2_ABI_AUDIT_EXECUTABLE  absolute path of the built abi-audit
#   TRELLIS2_ABI_POLICY            policy name (policies/ beside the tool) or
#                                  policy file path
#
# The stamp is the JSON report (abi-audit --format json) of a passing audit.
# It is written to <stamp>.tmp and renamed only when the audit passes, so a
# failing module leaves no stamp and every later build audits it again: the
# gate stays shut until the module is fixed. On failure the text report
# (the versions, the offending symbols, demangled) goes to the build log.
#
# This file is also the script the custom command runs (cmake -P), so the
# gate's whole logic sits in one place.

include_guard(GLOBAL)

# Script mode: -DABI_AUDIT= -DPOLICY= -DMODULE= -DSTAMP= -P Audit.cmake
function(_trellis2_audit_run)
  set(temp "${STAMP}.tmp")
  file(REMOVE "${STAMP}" "${temp}")
  if(NOT EXISTS "${ABI_AUDIT}")
    message(FATAL_ERROR "abi-audit not found at '${ABI_AUDIT}' (TRELLIS2_ABI_AUDIT_EXECUTABLE). "
      "Build it first: cmake --build <superbuild dir> --target abi-audit")
  endif()
  execute_process(COMMAND "${ABI_AUDIT}" --policy "${POLICY}" --format json "${MODULE}"
    OUTPUT_FILE "${temp}" ERROR_VARIABLE errors RESULT_VARIABLE result)
  if(result STREQUAL "0")
    file(RENAME "${temp}" "${STAMP}")
    return()
  endif()
  file(REMOVE "${temp}")
  # The text report straight to the build log: which version, which symbol.
  execute_process(COMMAND "${ABI_AUDIT}" --policy "${POLICY}" --format text "${MODULE}")
  if(result STREQUAL "1")
    set(why "violates ABI policy ${POLICY} (report above)")
  else()
    set(why "could not be audited (exit ${result}): ${errors}")
  endif()
  message(FATAL_ERROR "ABI gate: ${MODULE} ${why}.\n"
    "Fix the module (compiler, flags, link line), or pick another policy on purpose with "
    "-DTRELLIS2_ABI_POLICY=<name|file>; the gate reruns on the next build.")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  _trellis2_audit_run()
  return()
endif()

function(trellis2_audit_module target stamp_file_var)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "trellis2_audit_module: '${target}' is not a target; call it after add_library(${target} ...)")
  endif()
  if(NOT IS_ABSOLUTE "${TRELLIS2_ABI_AUDIT_EXECUTABLE}")
    message(FATAL_ERROR "trellis2_audit_module(${target}): TRELLIS2_ABI_AUDIT_EXECUTABLE is "
      "'${TRELLIS2_ABI_AUDIT_EXECUTABLE}', expected the absolute path of the built abi-audit. "
      "Configure this package through the superbuild, which passes it.")
  endif()
  if(TRELLIS2_ABI_POLICY STREQUAL "")
    message(FATAL_ERROR "trellis2_audit_module(${target}): TRELLIS2_ABI_POLICY is empty; expected a policy "
      "name (rocky9) or a policy file. The audit cannot be switched off.")
  endif()

  # Re-audit when the policy changes: the policy file and its siblings
  # (which it may include). A NAME is found beside the executable.
  if(EXISTS "${TRELLIS2_ABI_POLICY}")
    get_filename_component(policy_dir "${TRELLIS2_ABI_POLICY}" DIRECTORY)
  else()
    get_filename_component(policy_dir "${TRELLIS2_ABI_AUDIT_EXECUTABLE}" DIRECTORY)
    set(policy_dir "${policy_dir}/policies")
  endif()
  file(GLOB policy_files "${policy_dir}/*.policy")

  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/audit/${target}.audit.json")
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/audit")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${CMAKE_COMMAND}"
      "-DABI_AUDIT=${TRELLIS2_ABI_AUDIT_EXECUTABLE}"
      "-DPOLICY=${TRELLIS2_ABI_POLICY}"
      "-DMODULE=$<TARGET_FILE:${target}>"
      "-DSTAMP=${stamp}"
      -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    DEPENDS "$<TARGET_FILE:${target}>" ${target} "${TRELLIS2_ABI_AUDIT_EXECUTABLE}" ${policy_files}
    COMMENT "ABI audit of ${target} (policy ${TRELLIS2_ABI_POLICY})"
    VERBATIM)
  set(${stamp_file_var} "${stamp}" PARENT_SCOPE)
endfunction()
