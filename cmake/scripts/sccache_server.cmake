# The build's own sccache server (cmake/superbuild/SccacheServer.cmake runs this).
#
#   cmake -DMODE=start -DSCCACHE=... -DSOCKET=... -DCONF=... -DSTATE_DIR=... -DFARM_CORES_FILE=...
#         [-DSCHEDULER=url -DTOKEN_FILE=file -DCXX=compiler] -P sccache_server.cmake
#   cmake -DMODE=stop  -DSCCACHE=... -DSOCKET=... -DCONF=... -DSTATE_DIR=... -P sccache_server.cmake
#
# start (first step of every build, after the build-tree lock): stops the
#   server a previous build of this tree left, starts one on this tree's
#   socket with this tree's configuration, and, with a scheduler, decides
#   whether this build compiles on the farm. It writes
#     STATE_DIR/state.json  what was decided and why (the build report shows it)
#     FARM_CORES_FILE       the farm's cores, or 0: the native build step
#                           (native_build.cmake) runs that many jobs when more
#                           than the local ones
#   Scheduler unreachable, no build server, or a farm that cannot compile a
#   probe: the build compiles locally, and state.json says why. A token the
#   scheduler refuses fails here, before any compile (sccache would fail every
#   compile with "Error 401" instead of compiling locally).
# stop (after the last compile): STATE_DIR/stats.json from the server's
#   statistics, then the server is stopped.
#
# The token is read here only, into STATE_DIR/private/dist.toml (a directory
# only the user can read), which the server reads when it starts; the file is
# removed as soon as the server listens.
cmake_minimum_required(VERSION 3.25)

set(_log "${STATE_DIR}/server.log")
set(_pid_file "${STATE_DIR}/server.pid")

# The server takes its settings from CONF only: no SCCACHE_* of the user's
# shell (a stray SCCACHE_REDIS or SCCACHE_DIR would move the cache).
execute_process(COMMAND "${CMAKE_COMMAND}" -E environment OUTPUT_VARIABLE _environment)
string(REGEX MATCHALL "(^|\n)SCCACHE_[A-Z0-9_]+=" _names "${_environment}")
foreach(_name IN LISTS _names)
  string(REGEX REPLACE "[\n=]" "" _name "${_name}")
  unset(ENV{${_name}})
endforeach()
set(ENV{SCCACHE_SERVER_UDS} "${SOCKET}")
set(ENV{SCCACHE_CONF} "${CONF}")  # also for a server `--show-stats` would have to start
set(ENV{SCCACHE_ERROR_LOG} "${_log}")
set(ENV{SCCACHE_LOG} "warn")
# A build that fails or is killed leaves no server for long.
set(ENV{SCCACHE_IDLE_TIMEOUT} "600")

function(_write_atomically path content)
  file(WRITE "${path}.tmp" "${content}")
  file(RENAME "${path}.tmp" "${path}")
endfunction()

include("${CMAKE_CURRENT_LIST_DIR}/../common/Json.cmake")

# The pid of the server this tree's last build started, if it still runs.
function(_running_server out)
  set(${out} "" PARENT_SCOPE)
  if(EXISTS "${_pid_file}")
    file(READ "${_pid_file}" pid)
    string(STRIP "${pid}" pid)
    if(pid MATCHES "^[0-9]+$" AND EXISTS "/proc/${pid}/cmdline")
      file(READ "/proc/${pid}/cmdline" cmdline)
      if(cmdline MATCHES "sccache")
        set(${out} "${pid}" PARENT_SCOPE)
      endif()
    endif()
  endif()
endfunction()

function(_stop_server)
  _running_server(pid)
  if(pid)
    execute_process(COMMAND "${SCCACHE}" --stop-server OUTPUT_QUIET ERROR_QUIET TIMEOUT 20)
    # _running_server also counts an exited server that is not yet reaped
    # (its parent, the sh that started it, is gone) as gone: a zombie's
    # cmdline is empty. Waiting for /proc/<pid> itself took ~1 s a build.
    foreach(_ RANGE 50)
      _running_server(alive)
      if(NOT alive)
        break()
      endif()
      execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 0.1)
    endforeach()
    _running_server(alive)
    if(alive)
      execute_process(COMMAND kill "${pid}")  # the server this script started, by its id
    endif()
  endif()
  file(REMOVE "${_pid_file}" "${SOCKET}")
endfunction()

# Starts a server in the background with configuration `conf` and waits
# until it listens on SOCKET.
function(_start_server conf)
  set(ENV{SCCACHE_CONF} "${conf}")
  set(ENV{SCCACHE_START_SERVER} "1")
  set(ENV{SCCACHE_NO_DAEMON} "1")
  execute_process(COMMAND sh -c "\"$0\" >>\"$1\" 2>&1 </dev/null & echo $!" "${SCCACHE}" "${_log}"
    OUTPUT_VARIABLE pid OUTPUT_STRIP_TRAILING_WHITESPACE)
  unset(ENV{SCCACHE_START_SERVER})
  unset(ENV{SCCACHE_NO_DAEMON})
  file(WRITE "${_pid_file}" "${pid}\n")
  foreach(_ RANGE 200)
    if(EXISTS "${SOCKET}")
      return()
    endif()
    if(NOT EXISTS "/proc/${pid}")
      break()
    endif()
    execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 0.05)
  endforeach()
  file(READ "${_log}" log)
  message(FATAL_ERROR "The build's sccache server did not start: found no socket ${SOCKET} after 10 s "
    "(pid ${pid}; ${_log}:\n${log}\nExpected ${SCCACHE} to listen there with ${conf}. "
    "Run  SCCACHE_CONF=${conf} SCCACHE_SERVER_UDS=${SOCKET} SCCACHE_LOG=debug SCCACHE_NO_DAEMON=1 "
    "SCCACHE_START_SERVER=1 ${SCCACHE}  to see why, or configure with -DTRELLIS2_SCCACHE=OFF.")
endfunction()

# dist_compiles summed over servers, and dist_errors, of the running server.
function(_dist_counts compiles errors)
  execute_process(COMMAND "${SCCACHE}" --show-stats --stats-format=json OUTPUT_VARIABLE json ERROR_QUIET
    TIMEOUT 30)
  string(JSON n ERROR_VARIABLE err LENGTH "${json}" stats dist_compiles)
  set(sum 0)
  if(NOT err AND n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON server MEMBER "${json}" stats dist_compiles ${i})
      string(JSON count GET "${json}" stats dist_compiles "${server}")
      math(EXPR sum "${sum} + ${count}")
    endforeach()
  endif()
  string(JSON failed ERROR_VARIABLE err GET "${json}" stats dist_errors)
  if(err)
    set(failed 0)
  endif()
  set(${compiles} "${sum}" PARENT_SCOPE)
  set(${errors} "${failed}" PARENT_SCOPE)
endfunction()

function(_local_build reason)
  trellis2_json_string(reason_json "${reason}")
  trellis2_json_string(url "${SCHEDULER}")
  _write_atomically("${STATE_DIR}/state.json"
    "{\"mode\": \"local\", \"scheduler\": ${url}, \"reason\": ${reason_json}}\n")
  message(STATUS "sccache: compiling locally: ${reason}")
endfunction()

# The farm's token: $TRELLIS2_SCCACHE_DIST_TOKEN, else TOKEN_FILE.
function(_read_token out source)
  if(NOT "$ENV{TRELLIS2_SCCACHE_DIST_TOKEN}" STREQUAL "")
    set(token "$ENV{TRELLIS2_SCCACHE_DIST_TOKEN}")
    set(from "$TRELLIS2_SCCACHE_DIST_TOKEN")
  elseif(TOKEN_FILE AND EXISTS "${TOKEN_FILE}")
    file(READ "${TOKEN_FILE}" token)
    string(STRIP "${token}" token)
    set(from "TRELLIS2_SCCACHE_DIST_TOKEN_FILE (${TOKEN_FILE})")
  endif()
  if("${token}" STREQUAL "" OR token MATCHES "[\"\\\n]")
    message(FATAL_ERROR "TRELLIS2_SCCACHE_DIST_SCHEDULER=${SCHEDULER} needs the farm's client token: found "
      "${from}${TOKEN_FILE} empty, missing or with a quote or backslash in it. Expected the token of the "
      "scheduler's [client_auth] in the environment variable TRELLIS2_SCCACHE_DIST_TOKEN or in the file "
      "TRELLIS2_SCCACHE_DIST_TOKEN_FILE names. Export it, or configure with -DTRELLIS2_SCCACHE_DIST_SCHEDULER= "
      "to compile locally.")
  endif()
  set(${out} "${token}" PARENT_SCOPE)
  set(${source} "${from}" PARENT_SCOPE)
endfunction()

# Starts the server with the farm in its configuration; returns the farm's
# cores, or 0 with the server restarted for local compiles.
function(_start_distributed cores)
  set(${cores} 0 PARENT_SCOPE)
  _read_token(token token_source)
  set(private "${STATE_DIR}/private")
  file(REMOVE_RECURSE "${private}")
  file(MAKE_DIRECTORY "${private}")
  file(CHMOD "${private}" DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  file(READ "${CONF}" conf)
  file(WRITE "${private}/dist.toml" "${conf}\n[dist]\nscheduler_url = \"${SCHEDULER}\"\ntoolchains = []\n"
    "cache_dir = \"${STATE_DIR}/dist-toolchains\"\n\n[dist.auth]\ntype = \"token\"\ntoken = \"${token}\"\n")
  _start_server("${private}/dist.toml")
  file(REMOVE_RECURSE "${private}")

  execute_process(COMMAND "${SCCACHE}" --dist-status OUTPUT_VARIABLE status ERROR_VARIABLE status TIMEOUT 30)
  string(JSON servers ERROR_VARIABLE not_connected GET "${status}" SchedulerStatus 1 num_servers)
  if(not_connected)
    _stop_server()
    _start_server("${CONF}")
    _local_build("the scheduler ${SCHEDULER} was not reachable at the build's start (sccache --dist-status: ${status})")
    return()
  endif()
  string(JSON farm GET "${status}" SchedulerStatus 1 num_cpus)
  if(servers EQUAL 0)
    _stop_server()
    _start_server("${CONF}")
    _local_build("the scheduler ${SCHEDULER} has no build server")
    return()
  endif()

  # The scheduler answers its status to anyone; a compile proves the token
  # and that a build server can run this toolchain. A unique source: never a hit.
  set(probe "${STATE_DIR}/probe")
  file(MAKE_DIRECTORY "${probe}")
  string(RANDOM LENGTH 16 ALPHABET 0123456789abcdef nonce)
  file(WRITE "${probe}/probe.cpp" "int trellis2_farm_probe_${nonce}() { return 0; }\n")
  _dist_counts(before_compiles before_errors)
  execute_process(COMMAND "${SCCACHE}" "${CXX}" -c probe.cpp -o probe.o WORKING_DIRECTORY "${probe}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 300)
  _dist_counts(after_compiles after_errors)
  if(out MATCHES "Error 40[13]")
    _stop_server()
    string(REGEX MATCH "Error 40[13][^\n]*" why "${out}")
    message(FATAL_ERROR "The sccache-dist scheduler ${SCHEDULER} refused this build's token: found "
      "'${why}' for the token from ${token_source}. Expected the token of the scheduler's [client_auth] "
      "(scheduler.conf). Fix the token, or configure with -DTRELLIS2_SCCACHE_DIST_SCHEDULER= to compile locally.")
  endif()
  if(NOT rc EQUAL 0 OR NOT after_compiles GREATER before_compiles)
    file(STRINGS "${_log}" warnings REGEX "distributed compile|dist")
    list(POP_BACK warnings last_warning)
    _stop_server()
    _start_server("${CONF}")
    _local_build("the farm of ${SCHEDULER} did not compile a probe unit (exit ${rc}; ${last_warning}${out})")
    return()
  endif()
  trellis2_json_string(url "${SCHEDULER}")
  _write_atomically("${STATE_DIR}/state.json"
    "{\"mode\": \"distributed\", \"scheduler\": ${url}, \"servers\": ${servers}, \"farm_cores\": ${farm}}\n")
  message(STATUS "sccache: compiling on the farm of ${SCHEDULER}: ${servers} build server(s), ${farm} cores")
  set(${cores} "${farm}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "start")
  file(MAKE_DIRECTORY "${STATE_DIR}")
  _write_atomically("${FARM_CORES_FILE}" "0\n")  # the local jobs until the farm has proven itself
  file(REMOVE "${STATE_DIR}/stats.json" "${STATE_DIR}/state.json")
  _stop_server()
  file(WRITE "${_log}" "")
  if(SCHEDULER)
    _start_distributed(farm_cores)
    _write_atomically("${FARM_CORES_FILE}" "${farm_cores}\n")
  else()
    _start_server("${CONF}")
    _write_atomically("${STATE_DIR}/state.json" "{\"mode\": \"local\", \"scheduler\": \"\", \"reason\": \"\"}\n")
  endif()
elseif(MODE STREQUAL "stop")
  _running_server(pid)
  set(died false)
  if(NOT pid)
    set(died true)  # --show-stats below then reads a server a compile restarted, if any
  endif()
  execute_process(COMMAND "${SCCACHE}" --show-stats --stats-format=json OUTPUT_VARIABLE stats ERROR_QUIET
    RESULT_VARIABLE rc TIMEOUT 30)
  if(NOT rc EQUAL 0 OR stats STREQUAL "")
    set(stats "null")
  endif()
  _write_atomically("${STATE_DIR}/stats.json" "{\"server_died\": ${died}, \"sccache\": ${stats}}\n")
  _stop_server()  # one --stop-server: a second one, to a server already gone, waits ~1 s to connect
else()
  message(FATAL_ERROR "sccache_server.cmake: MODE='${MODE}', expected start or stop")
endif()
