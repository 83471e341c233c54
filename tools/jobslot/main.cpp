// jobslot — cap concurrent jobs across independent Ninja builds.
//
//   jobslot [--env VAR]... <pool-dir>:<slots> [<pool-dir>:<slots>]... -- <command> [args...]
//
// The superbuild runs each package in its own Ninja, so Ninja's -j cannot cap
// the whole build: four packages would each start nproc nvcc processes. Every
// compile goes through this launcher instead. For each pool, in the order
// given, it takes one slot — an flock(2) on <pool-dir>/slot.<i>, i < slots —
// waiting while all are held, then execs the command, which inherits the
// locked descriptors: the slots are released when the compiler and every
// process it started have exited, even if they crash. Pools are taken in the
// same order by every job, so two pools (CPU jobs, then nvcc memory) cannot
// deadlock.
//
// --env VAR: if VAR is set to a positive number in the environment at build
// time, it replaces the first pool's slot count (MAX_JOBS, torch's
// convention, and CMAKE_BUILD_PARALLEL_LEVEL: the first one set wins).
//
// TRELLIS2_JOBSLOT_TRACE=<file>: instead of exec, run the command as a child
// and append one line per job, "<start ms> <end ms> <cpu ms> <argv of -o>",
// times from the epoch and counted from when the slots were held, CPU time
// of the command and its children: what a benchmark needs to know each
// unit's own cost when Ninja's log also counts the wait for a slot.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Pool {
  std::string dir;
  long slots;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "jobslot: %s\nusage: jobslot [--env VAR]... <pool-dir>:<slots>... -- <command> [args...]\n", why);
  std::exit(2);
}

long positive(const char* text) {
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return (*end == '\0' && value > 0) ? value : 0;
}

// Blocks until one slot of the pool is locked; returns its descriptor.
int acquire(const Pool& pool) {
  std::chrono::milliseconds backoff(5);
  for (;;) {
    for (long i = 0; i < pool.slots; ++i) {
      const std::string path = pool.dir + "/slot." + std::to_string(i);
      const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
      if (fd < 0) {
        std::fprintf(stderr, "jobslot: cannot open %s: %s (is the pool directory writable?)\n", path.c_str(),
                     std::strerror(errno));
        std::exit(2);
      }
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
      ::close(fd);
    }
    std::this_thread::sleep_for(backoff);
    if (backoff < std::chrono::milliseconds(100)) backoff *= 2;
  }
}

long long now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Runs the command as a child, appends its trace line, returns its status.
int run_traced(const char* trace, char** command) {
  const long long start = now_ms();
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
  std::string output = "-";
  for (char** arg = command; *arg != nullptr; ++arg) {
    if (std::strcmp(*arg, "-o") == 0 && arg[1] != nullptr) output = arg[1];
  }
  const std::string line = std::to_string(start) + " " + std::to_string(now_ms()) + " " + std::to_string(cpu) +
                           " " + output + "\n";
  const int fd = ::open(trace, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd >= 0) {
    (void)!::write(fd, line.data(), line.size());  // one write: lines from parallel jobs do not mix
    ::close(fd);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> env_overrides;
  std::vector<Pool> pools;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], "--env") == 0) {
      if (++i == argc) usage("--env needs a variable name");
      env_overrides.emplace_back(argv[i]);
      continue;
    }
    const std::string spec = argv[i];
    const auto colon = spec.rfind(':');
    const long slots = colon == std::string::npos ? 0 : positive(spec.c_str() + colon + 1);
    if (slots == 0) usage(("pool '" + spec + "' is not <dir>:<positive count>").c_str());
    pools.push_back({spec.substr(0, colon), slots});
  }
  if (pools.empty()) usage("no pool given");
  if (i + 1 >= argc) usage("no command after --");
  for (const auto& name : env_overrides) {
    if (const long slots = positive(std::getenv(name.c_str()))) {
      pools.front().slots = slots;
      break;
    }
  }
  for (const auto& pool : pools) acquire(pool);  // descriptors stay open across exec
  if (const char* trace = std::getenv("TRELLIS2_JOBSLOT_TRACE"); trace != nullptr && *trace != '\0') {
    return run_traced(trace, argv + i + 1);
  }
  ::execvp(argv[i + 1], argv + i + 1);
  std::fprintf(stderr, "jobslot: cannot run %s: %s\n", argv[i + 1], std::strerror(errno));
  return 127;
}
