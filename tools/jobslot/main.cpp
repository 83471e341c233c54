// jobslot — cap concurrent jobs across independent Ninja builds.
//
//   jobslot [--costs DIR] [--cost MS] [--remote-pool DIR] [[--env VAR]... <pool>]... -- <command> [args...]
//   jobslot --build-lock <file> [--size-memory-pool <pool-dir>]... [--plan <pool-dir>[:<suffix>]]...
//           [--plan-table <file.tsv>]... [--plan-threads N]
//
// The superbuild runs each package in its own Ninja, so Ninja's -j cannot cap
// the whole build: four packages would each start nproc nvcc processes. Every
// compile goes through this launcher instead. For each pool, in the order
// given, it takes its slots (pool.h), then execs the command, which inherits
// the locked descriptors: the slots are released when the compiler and every
// process it started have exited, even if they crash. Pools are taken in the
// same order by every job, so two pools cannot deadlock.
//
// <pool> is <dir> (its size read from <dir>/slots at run time, so a new size
// recompiles nothing) or <dir>:<slots>.
//
// --env VAR (before a pool): if VAR is set at build time, it replaces that
// pool's size (MAX_JOBS, torch's convention, and CMAKE_BUILD_PARALLEL_LEVEL:
// the first one set wins); a value that is not a positive number is an error.
//
// A command with `--threads N` / `--threads=N` (nvcc compiling N device
// targets in parallel) takes N slots of each pool, so the CPU and memory
// caps still hold; N is capped by the smallest pool and the flag rewritten
// to what was granted (nvcc's output does not depend on it). With a cost
// table, only a unit longer than its fair share of the build (the table's
// total cost divided by the smallest pool) keeps N: such a unit is the
// build's critical path. Any other unit gets 1, since nvcc's threads
// parallelize only the device passes: four slots held for a unit that keeps
// two busy idle the rest (measured: 16 cores, default arch list, --threads
// everywhere took 425 s against 215 s of CPU work per core). Such a unit
// still takes up to N free slots when no other job waits (pool.h): a lone
// touched .cu of the kernel loop then runs its device passes in parallel.
//
// --build-lock ... --plan: the cold-start plan (plan.h) keeps slots for the
// costliest units of the build, and the critical path's N, before they
// arrive; a unit whose object already exists (a rebuild) ignores it.
//
// --costs DIR / --cost MS: the unit's known cost (costs.h); among waiting
// jobs the highest cost takes a freed slot first.
//
// --remote-pool DIR: a pool for compiles that run on a build farm (sccache-dist).
// When DIR/slots holds a positive number (written at the build's start from the
// farm's cores, cmake/scripts/sccache_server.cmake), the job takes slots of
// that pool instead of the pools given: the farm, not the local cores and
// memory, bounds how many run at once. 0 or no file (no farm this build):
// the pools given, as without the option. Decided per job at run time, so
// the compile command line stays the same whether or not the farm is up.
//
// TRELLIS2_JOBSLOT_TRACE=<file>: instead of exec, run the command as a child
// and append one line per job,
//   "<start ms> <end ms> <cpu ms> <object> <slots> <queued ms>",
// times from the epoch (start: when the slots were held; queued: when jobslot
// started waiting), CPU time of the command and its children: what a
// benchmark needs to know each unit's own cost when Ninja's log also counts
// the wait for a slot.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "build_lock.h"
#include "common.h"
#include "costs.h"
#include "pool.h"

namespace {

using jobslot::parse_positive;

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "jobslot: %s\nusage: jobslot [--costs DIR] [--cost MS] [--remote-pool DIR] [[--env VAR]... <pool-dir>[:<slots>]]... -- "
               "<command> [args...]\n       jobslot --build-lock <file> [--size-memory-pool <pool-dir>]... [--plan <pool-dir>[:<suffix>]]... "
               "[--plan-table <file.tsv>]... [--plan-threads N]\n",
               why.c_str());
  std::exit(2);
}

// The pool's size from the first of `names` set in the environment.
std::optional<long> size_from_environment(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') continue;
    if (const auto slots = parse_positive(value)) return slots;
    std::fprintf(stderr,
                 "jobslot: %s='%s' is not a positive number of compile jobs. Expected a number such as %s=4; "
                 "unset it to use the configured TRELLIS2_JOBS.\n",
                 name.c_str(), value, name.c_str());
    std::exit(2);
  }
  return std::nullopt;
}

// nvcc's --threads value in the command (1 if absent) and where it is.
struct Threads {
  long count = 1;
  char** arg = nullptr;  // the argument holding the number
  bool joined = false;   // --threads=N
};

Threads find_threads(char** command) {
  Threads threads;
  for (char** arg = command; *arg != nullptr; ++arg) {
    if (std::strcmp(*arg, "--threads") == 0 && arg[1] != nullptr) {
      threads = {parse_positive(arg[1]).value_or(1), arg + 1, false};
    } else if (std::strncmp(*arg, "--threads=", 10) == 0) {
      threads = {parse_positive(*arg + 10).value_or(1), arg, true};
    }
  }
  return threads;
}

std::string object_of(char** command) {
  std::string output = "-";
  for (char** arg = command; *arg != nullptr; ++arg) {
    if (std::strcmp(*arg, "-o") == 0 && arg[1] != nullptr) output = arg[1];
  }
  return output;
}

// Runs the command as a child, appends its trace line, returns its status.
int run_traced(const char* trace, char** command, long slots, long long queued) {
  const long long start = jobslot::now_ms();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execvp(command[0], command);
    std::fprintf(stderr, "jobslot: cannot run %s: %s\n", command[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || ::wait4(pid, &status, 0, &usage) < 0) return 127;
  const long long cpu = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000LL +
                        (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  const std::string line = std::to_string(start) + " " + std::to_string(jobslot::now_ms()) + " " +
                           std::to_string(cpu) + " " + object_of(command) + " " + std::to_string(slots) + " " +
                           std::to_string(queued) + "\n";
  const int fd = ::open(trace, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd >= 0) {
    (void)!::write(fd, line.data(), line.size());  // one write: lines from parallel jobs do not mix
    ::close(fd);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int build_lock_main(int argc, char** argv) {
  if (argc < 3) usage("--build-lock needs a lock file");
  std::vector<std::string> memory_pools;
  jobslot::PlanOptions plan;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 == argc) usage("'" + arg + "' needs a value");
    const char* value = argv[++i];
    if (arg == "--size-memory-pool") {
      memory_pools.emplace_back(value);
    } else if (arg == "--plan") {
      plan.pools.emplace_back(value);
    } else if (arg == "--plan-table") {
      plan.tables.emplace_back(value);
    } else if (arg == "--plan-threads" && parse_positive(value)) {
      plan.threads = *parse_positive(value);
    } else {
      usage("unexpected '" + arg + "' after --build-lock");
    }
  }
  return jobslot::take_build_lock(argv[2], memory_pools, plan);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--build-lock") == 0) return build_lock_main(argc, argv);
  const long long queued = jobslot::now_ms();
  std::vector<jobslot::Pool> pools;
  std::vector<std::string> env_names;
  std::string cost_table;
  std::optional<long long> cost;
  std::string remote_pool;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    const std::string arg = argv[i];
    if (arg == "--env" || arg == "--costs" || arg == "--cost" || arg == "--remote-pool") {
      if (++i == argc) usage(arg + " needs a value");
      if (arg == "--env") env_names.emplace_back(argv[i]);
      if (arg == "--costs") cost_table = argv[i];
      if (arg == "--cost") cost = std::atoll(argv[i]);
      if (arg == "--remote-pool") remote_pool = argv[i];
      continue;
    }
    const auto colon = arg.rfind(':');
    jobslot::Pool pool;
    if (colon == std::string::npos) {
      pool = {arg, jobslot::pool_size_from_file(arg)};
    } else {
      const auto slots = parse_positive(arg.c_str() + colon + 1);
      if (!slots) usage("pool '" + arg + "' is not <dir> or <dir>:<positive count>");
      pool = {arg.substr(0, colon), *slots};
    }
    if (const auto slots = size_from_environment(env_names)) pool.slots = *slots;
    env_names.clear();
    pools.push_back(pool);
  }
  if (pools.empty()) usage("no pool given");
  if (i + 1 >= argc) usage("no command after --");
  if (!remote_pool.empty()) {
    if (const long farm = jobslot::remote_pool_size(remote_pool); farm > 0) pools = {{remote_pool, farm}};
  }
  char** command = argv + i + 1;

  jobslot::Request request;
  request.object = object_of(command);
  request.cost = cost ? *cost : jobslot::unit_cost(cost_table, request.object);
  // An object already on disk: this tree was built before, so the costlier
  // units the plan keeps slots for are most likely up to date and will not
  // come; a rebuild of touched units (the kernel loop) must not wait for them.
  request.cold = ::access(request.object.c_str(), F_OK) != 0;
  const Threads threads = find_threads(command);
  request.most = threads.count;
  request.smallest_pool = pools.front().slots;
  for (const auto& pool : pools) {
    request.most = std::min(request.most, pool.slots);
    request.smallest_pool = std::min(request.smallest_pool, pool.slots);
  }
  request.demand = request.most;
  if (request.demand > 1 && !cost_table.empty() &&
      request.cost <= jobslot::total_cost(cost_table) / request.smallest_pool) {
    request.demand = 1;
  }
  // Descriptors stay open across exec. A pool may grant more than the demand
  // (pool.h); the job then runs as many threads as every pool granted.
  std::vector<std::vector<int>> held;
  for (const auto& pool : pools) {
    held.push_back(jobslot::acquire(pool, request));
    request.most = static_cast<long>(held.back().size());
  }
  for (auto& fds : held) {
    while (static_cast<long>(fds.size()) > request.most) {
      ::close(fds.back());
      fds.pop_back();
    }
  }
  const long granted = request.most;
  std::string granted_arg;  // keeps the rewritten argument alive until exec
  if (threads.arg != nullptr && granted != threads.count) {
    granted_arg = (threads.joined ? "--threads=" : "") + std::to_string(granted);
    *threads.arg = granted_arg.data();
  }

  if (const char* trace = std::getenv("TRELLIS2_JOBSLOT_TRACE"); trace != nullptr && *trace != '\0') {
    return run_traced(trace, command, granted, queued);
  }
  ::execvp(command[0], command);
  std::fprintf(stderr, "jobslot: cannot run %s: %s\n", command[0], std::strerror(errno));
  return 127;
}
