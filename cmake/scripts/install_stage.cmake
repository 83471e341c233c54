# Run by `cmake --install <build>` (install(SCRIPT) in cmake/superbuild/
# Deliver.cmake, after an install(CODE) that sets the TRELLIS2_INSTALL_*
# variables below). Lays the stage over a site-packages with
# `trellis2_wheel install`, atomic: a failure leaves site-packages as it was.
#   TRELLIS2_INSTALL_DEFAULT_SITE  TRELLIS2_SITE_PACKAGES, else the configured
#                                  Python's platlib (also what `recover` uses)
#   TRELLIS2_INSTALL_PREFIX        CMAKE_INSTALL_PREFIX at configure time
#   TRELLIS2_INSTALL_PYTHON, _PACKAGING, _BUILD, _STAGE, _DISTS
#   TRELLIS2_INSTALL_CHECK         the native build's api_check, under the
#                                  environment of every package step (Deliver.cmake)
#   TRELLIS2_INSTALL_SITE_FIXED    TRELLIS2_SITE_PACKAGES is set: it wins over --prefix
#   TRELLIS2_INSTALL_SBOM_COMMAND  writes each distribution's SBOM into the stage (Sbom.cmake)

set(site "${TRELLIS2_INSTALL_DEFAULT_SITE}")
set(again "cmake --install ${TRELLIS2_INSTALL_BUILD}")
if(NOT TRELLIS2_INSTALL_SITE_FIXED AND NOT CMAKE_INSTALL_PREFIX STREQUAL TRELLIS2_INSTALL_PREFIX)
  # `--prefix P`: the site-packages of P in the configured Python's scheme.
  execute_process(COMMAND "${TRELLIS2_INSTALL_PYTHON}" -c
      "import sys, sysconfig; print(sysconfig.get_paths(vars={'base': sys.argv[1], 'platbase': sys.argv[1]})['platlib'])"
      "${CMAKE_INSTALL_PREFIX}" OUTPUT_VARIABLE site OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(APPEND again " --prefix ${CMAKE_INSTALL_PREFIX}")
endif()

# The packages' API checks (no-ops when every build ran them; an out-of-date
# module recompiles, under the same environment as every package step).
execute_process(COMMAND ${TRELLIS2_INSTALL_CHECK} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "The API check of the native build failed (above); nothing was installed.")
endif()

# The SBOM of the modules as they are now, so the install carries it.
execute_process(COMMAND ${TRELLIS2_INSTALL_SBOM_COMMAND} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Could not write the SBOMs into the stage (exit ${rc}, message above); nothing was installed.")
endif()

message(STATUS "Installing ${TRELLIS2_INSTALL_DISTS} over ${site}")
# Directly, not through `cmake -E env`: the install must be this process's
# child to die with it (the tool asks the kernel for SIGTERM when its parent
# dies, and then rolls back).
execute_process(COMMAND "${TRELLIS2_INSTALL_PYTHON}" "${TRELLIS2_INSTALL_PACKAGING}/trellis2-wheel" install
    --stage "${TRELLIS2_INSTALL_STAGE}" --site-packages "${site}" --dist ${TRELLIS2_INSTALL_DISTS}
    --torch-version "${TRELLIS2_INSTALL_TORCH_VERSION}"
  RESULT_VARIABLE rc)
if(rc EQUAL 0)
  return()
elseif(rc EQUAL 2)
  message(FATAL_ERROR "The install was refused (exit 2, message above); nothing in ${site} was changed.")
elseif(rc EQUAL 3 OR rc EQUAL 129 OR rc EQUAL 130 OR rc EQUAL 143)
  message(FATAL_ERROR "The install over ${site} failed or was interrupted (exit ${rc}, message above) "
    "and was rolled back: site-packages is as it was.")
endif()
# Killed (SIGKILL, out of memory) or crashed: no rollback ran.
set(next "run `${again}` again (it rolls the journal back first)")
if(site STREQUAL TRELLIS2_INSTALL_DEFAULT_SITE)
  string(APPEND next ", or roll back alone with `cmake --build ${TRELLIS2_INSTALL_BUILD} --target recover`")
endif()
message(FATAL_ERROR "The install over ${site} stopped without rolling back (${rc}): "
  "site-packages may be partly changed; its journal is kept there. Next: ${next}.")
