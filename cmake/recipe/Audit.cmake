# Audit: the ABI gate, run by abi-audit right after a module is linked.
#
# trellis2_audit_module(<target> <stamp_file_var>)
#   <target>          the linked module (a library target of this project)
#   <stamp_file_var>  set in the caller's scope to the stamp file,
#                     ${CMAKE_CURRENT_BINARY_DIR}/audit/<target>.audit.json.
#                     Nothing runs the audit unless something depends on it:
#                     make the staging copy DEPEND on this file.
#
# Runs the abi-audit target of the inner project (built in the same graph,
# beside its policies) with TRELLIS2_ABI_POLICY_FILE, the native plan's
# policy file. The stamp's path is also the module target's
# TRELLIS2_AUDIT_STAMP property (the manifest lists it).
#
# The stamp is the JSON report (abi-audit --format json) of a passing audit.
# It is written to <stamp>.tmp and renamed only when the audit passes, so a
# failing module leaves no stamp and every later build audits it again: the
# gate stays shut until the module is fixed. On failure the text report
# (the versions, the offending symbols, demangled) goes to the build log.
#
# The command the gate runs is cmake/scripts/audit_module.cmake.

include_guard(GLOBAL)

set(_trellis2_audit_script "${CMAKE_CURRENT_LIST_DIR}/../scripts/audit_module.cmake")

function(trellis2_audit_module target stamp_file_var)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "trellis2_audit_module: '${target}' is not a target; call it after add_library(${target} ...)")
  endif()
  if(NOT EXISTS "${TRELLIS2_ABI_POLICY_FILE}")
    message(FATAL_ERROR "trellis2_audit_module(${target}): TRELLIS2_ABI_POLICY_FILE is "
      "'${TRELLIS2_ABI_POLICY_FILE}', expected the policy file the superbuild resolved (TRELLIS2_ABI_POLICY). "
      "The audit cannot be switched off.")
  endif()
  # Re-audit when the policy changes: the policy file and its siblings
  # (which it may include).
  get_filename_component(policy_dir "${TRELLIS2_ABI_POLICY_FILE}" DIRECTORY)
  file(GLOB policy_files "${policy_dir}/*.policy")

  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/audit/${target}.audit.json")
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/audit")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${CMAKE_COMMAND}"
      "-DABI_AUDIT=$<TARGET_FILE:abi-audit>"
      "-DPOLICY=${TRELLIS2_ABI_POLICY_FILE}"
      "-DMODULE=$<TARGET_FILE:${target}>"
      "-DSTAMP=${stamp}"
      -P "${_trellis2_audit_script}"
    DEPENDS "$<TARGET_FILE:${target}>" ${target} abi-audit ${policy_files}
    COMMENT "ABI audit of ${target} (policy ${TRELLIS2_ABI_POLICY_FILE})"
    VERBATIM)
  set_target_properties(${target} PROPERTIES TRELLIS2_AUDIT_STAMP "${stamp}")
  set(${stamp_file_var} "${stamp}" PARENT_SCOPE)
endfunction()
