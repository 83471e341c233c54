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
# policy file, and, where trellis2::torch is defined, where the module must
# load beyond the OS: on the GPUs it was compiled for (--cuda-archs, the
# -gencode list back in TORCH_CUDA_ARCH_LIST syntax: a unit or recipe that
# lost an architecture is refused, naming it) and with the torch it was
# built against (--libs, the directories of the libraries it links: every
# undefined symbol must be defined there or by the system's runtime). The
# stamp's path is also the module target's TRELLIS2_AUDIT_STAMP property
# (the manifest lists it).
#
# trellis2_audit_load_args(<out>): those two abi-audit arguments (empty
# without trellis2::torch); the input wheels' judgement passes them too.
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

# torch's -gencode flags as TORCH_CUDA_ARCH_LIST items: code=sm_90 -> 9.0,
# with code=compute_90 too -> 9.0+PTX.
function(_trellis2_requested_archs flags out)
  set(sm "")
  set(compute "")
  foreach(flag IN LISTS flags)
    string(REGEX REPLACE ".*code=" "" codes "${flag}")
    string(REGEX MATCHALL "(sm|compute)_[0-9]+[af]?" codes "${codes}")
    foreach(code IN LISTS codes)
      string(REGEX MATCH "^(sm|compute)_([0-9]+)([0-9])([af]?)$" _ "${code}")
      list(APPEND ${CMAKE_MATCH_1} "${CMAKE_MATCH_2}.${CMAKE_MATCH_3}${CMAKE_MATCH_4}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES sm)
  set(items "")
  foreach(arch IN LISTS sm compute)
    if(arch IN_LIST items OR "${arch}+PTX" IN_LIST items)
      continue()
    endif()
    if(arch IN_LIST compute)
      list(APPEND items "${arch}+PTX")
    else()
      list(APPEND items "${arch}")
    endif()
  endforeach()
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

function(trellis2_audit_load_args out)
  set(args "")
  if(TARGET trellis2::torch)
    get_target_property(flags trellis2::torch TRELLIS2_CUDA_ARCH_FLAGS)
    _trellis2_requested_archs("${flags}" archs)
    string(JOIN " " archs ${archs})  # one argument through the '|' list below
    get_target_property(libraries trellis2::torch INTERFACE_LINK_LIBRARIES)
    set(dirs "")
    foreach(library IN LISTS libraries)
      get_filename_component(dir "${library}" DIRECTORY)
      list(APPEND dirs "${dir}")
    endforeach()
    list(REMOVE_DUPLICATES dirs)
    string(JOIN ":" dirs ${dirs})
    if(archs)
      list(APPEND args "--cuda-archs=${archs}")
    endif()
    list(APPEND args "--libs=${dirs}")
  endif()
  set(${out} "${args}" PARENT_SCOPE)
endfunction()

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

  trellis2_audit_load_args(load_args)
  string(REPLACE ";" "|" load_args "${load_args}")
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/audit/${target}.audit.json")
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/audit")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${CMAKE_COMMAND}"
      "-DABI_AUDIT=$<TARGET_FILE:abi-audit>"
      "-DPOLICY=${TRELLIS2_ABI_POLICY_FILE}"
      "-DMODULE=$<TARGET_FILE:${target}>"
      "-DSTAMP=${stamp}"
      "-DLOAD_ARGS=${load_args}"
      -P "${_trellis2_audit_script}"
    DEPENDS "$<TARGET_FILE:${target}>" ${target} abi-audit ${policy_files}
    COMMENT "ABI audit of ${target} (policy ${TRELLIS2_ABI_POLICY_FILE})"
    VERBATIM)
  set_target_properties(${target} PROPERTIES TRELLIS2_AUDIT_STAMP "${stamp}")
  set(${stamp_file_var} "${stamp}" PARENT_SCOPE)
endfunction()
