# Report: after every build, build/report.json and a short table (see
# tools/build_report.py and the README's "Build report"). The facts
# known at configure go into report-config.json; the per-module results are
# read from the sub-builds when the report runs.

include_guard(GLOBAL)

set(_packages "")
foreach(pkg IN LISTS TRELLIS2_PACKAGES)
  get_property(origin GLOBAL PROPERTY TRELLIS2_SOURCE_OF_${pkg})
  string(REPLACE "\"" "'" origin "${origin}")
  trellis2_package_binary_dir(${pkg} _subbuild)
  list(APPEND _packages "{\"name\": \"${pkg}\", \"origin\": \"${origin}\", \"subbuild_dir\": \"${_subbuild}\"}")
endforeach()
string(JOIN ", " _packages ${_packages})
set(_archs "${TRELLIS2_CUDA_ARCHITECTURES}")
string(REPLACE ";" "\", \"" _archs "${_archs}")
# sccache's state and statistics of this build (SccacheServer.cmake), if it is the launcher.
set(_compiler_cache "null")
if(TARGET sccache-stats)
  string(REGEX REPLACE "//[^@/]*@" "//" _remote "${TRELLIS2_SCCACHE_REMOTE}")  # no password in the report
  set(_compiler_cache "{\"state\": \"${TRELLIS2_SCCACHE_STATE_DIR}/state.json\", \"stats\": \"${TRELLIS2_SCCACHE_STATE_DIR}/stats.json\", \"remote\": \"${_remote}\"}")
endif()
file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/report-config.json" CONTENT "{
 \"toolchain\": {\"python\": \"${Python3_EXECUTABLE} ${TRELLIS2_FOUND_PYTHON_VERSION}\",
   \"torch\": \"${TRELLIS2_FOUND_TORCH_VERSION_FULL}\", \"torch_cuda\": \"${TRELLIS2_FOUND_TORCH_CUDA_VERSION}\",
   \"cxx\": \"${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\", \"nvcc\": \"${TRELLIS2_NVCC_VERSION}\",
   \"cuda_mismatch_accepted\": $<IF:$<BOOL:${TRELLIS2_CUDA_MISMATCH}>,true,false>},
 \"architectures\": [\"${_archs}\"],
 \"abi_policy\": \"${TRELLIS2_ABI_POLICY_FILE}\",
 \"python_from\": \"${TRELLIS2_PYTHON_FROM}\",
 \"compiler_cache\": ${_compiler_cache},
 \"packages\": [${_packages}]
}
")
add_custom_target(report ALL
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/tools/build_report.py"
    "${CMAKE_BINARY_DIR}/report-config.json" "${CMAKE_BINARY_DIR}/report.json"
  COMMENT "" VERBATIM)
add_dependencies(report ${TRELLIS2_PACKAGES})
if(TARGET sccache-stats)
  add_dependencies(report sccache-stats)
endif()
