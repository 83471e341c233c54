# cmake -DWHEEL_TOOL=<cmd;...> -DSTAGE=<dir> -DDISTS=<a;b> -DLABEL=<label>
#       -DTORCH_VERSION=<2.7.0> -DOUT=<dir> -DABI_AUDIT=<exe> -DPOLICY=<file>
#       -DSBOM_COMMAND=<cmd;...> -P make_wheels.cmake
#
# The `wheels` target: each distribution's SBOM written into its staged
# dist-info (SBOM_COMMAND: trellis2_wheel sbom), then one repaired wheel per
# distribution from the stage
# (trellis2_wheel repack: requirements on the set's own distributions and
# on torch pinned to the versions built here), then every wheel written is
# audited as a wheel, the way a user's pip would receive it, and OUT/simple
# indexes them (PEP 503) so plain pip installs the set with its dependencies.

# Lists arrive with | for ; (a ; would split the -D argument).
string(REPLACE "|" ";" WHEEL_TOOL "${WHEEL_TOOL}")
string(REPLACE "|" ";" DISTS "${DISTS}")
string(REPLACE "|" ";" SBOM_COMMAND "${SBOM_COMMAND}")
# Before the first wheel: a missing or refused SBOM writes no wheel at all.
execute_process(COMMAND ${SBOM_COMMAND} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Could not write the SBOMs into the stage (exit ${rc}, message above); no wheel was written.")
endif()
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
set(wheels "")
foreach(dist IN LISTS DISTS)
  execute_process(COMMAND ${WHEEL_TOOL} repack --stage "${STAGE}" --dist "${dist}" --local-label "${LABEL}" --out "${OUT}"
      --set ${DISTS} --torch-version "${TORCH_VERSION}"
    OUTPUT_VARIABLE wheel OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Could not write the wheel of ${dist} (exit ${rc}, message above). "
      "Build first (cmake --build <build>) so every distribution is staged.")
  endif()
  message(STATUS "Wrote ${wheel}")
  list(APPEND wheels "${wheel}")
endforeach()
execute_process(COMMAND "${ABI_AUDIT}" --policy "${POLICY}" ${wheels} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE_RECURSE "${OUT}")
  message(FATAL_ERROR "A repaired wheel fails ABI policy ${POLICY} (report above); ${OUT} was removed.")
endif()
execute_process(COMMAND ${WHEEL_TOOL} index --dist "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Could not write the index ${OUT}/simple (exit ${rc}, message above).")
endif()
