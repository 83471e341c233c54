# Run by `cmake --install <build>` (install(SCRIPT) in cmake/Deliver.cmake,
# after an install(CODE) that sets the TRELLIS2_INSTALL_* variables below).
# Lays the stage over a site-packages with `trellis2_wheel install`, atomic:
# a failure leaves site-packages as it was.
#   TRELLIS2_INSTALL_SITE          TRELLIS2_SITE_PACKAGES (may be empty)
#   TRELLIS2_INSTALL_PREFIX        CMAKE_INSTALL_PREFIX at configure time
#   TRELLIS2_INSTALL_PLATLIB       the configured Python's platlib
#   TRELLIS2_INSTALL_PYTHON, _TOOL, _STAGE, _DISTS, _SUBBUILDS

set(site "${TRELLIS2_INSTALL_SITE}")
if(NOT site AND NOT CMAKE_INSTALL_PREFIX STREQUAL TRELLIS2_INSTALL_PREFIX)
  # `--prefix P`: the site-packages of P in the configured Python's scheme.
  execute_process(COMMAND "${TRELLIS2_INSTALL_PYTHON}" -c
      "import sys, sysconfig; print(sysconfig.get_paths(vars={'base': sys.argv[1], 'platbase': sys.argv[1]})['platlib'])"
      "${CMAKE_INSTALL_PREFIX}" OUTPUT_VARIABLE site OUTPUT_STRIP_TRAILING_WHITESPACE)
elseif(NOT site)
  set(site "${TRELLIS2_INSTALL_PLATLIB}")
endif()

# The packages' RECORD + API check (a no-op when every build ran it).
foreach(subbuild IN LISTS TRELLIS2_INSTALL_SUBBUILDS)
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${subbuild}" --target trellis2_stage_finished RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "The RECORD/API check in ${subbuild} failed (above); nothing was installed.")
  endif()
endforeach()

message(STATUS "Installing ${TRELLIS2_INSTALL_DISTS} over ${site}")
execute_process(COMMAND ${TRELLIS2_INSTALL_TOOL} install --stage "${TRELLIS2_INSTALL_STAGE}"
    --site-packages "${site}" --dist ${TRELLIS2_INSTALL_DISTS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Install over ${site} failed (exit ${rc}); site-packages is as it was (see above).")
endif()
