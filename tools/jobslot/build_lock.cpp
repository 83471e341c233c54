#include "build_lock.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <thread>

#include "common.h"
#include "plan.h"

namespace jobslot {
namespace {

struct Holder {
  pid_t pid = 0;  // the build tool whose lifetime the lock lasts
  unsigned long long start_ticks = 0;
  std::string since;
  std::string command;  // what the user ran: cmake --build ..., or ninja ...
};

bool is_build_tool(const std::string& comm) {
  return comm == "ninja" || comm == "ninja-build" || comm == "samu" || comm == "make" || comm == "gmake";
}

// The nearest ancestor that is a build tool; the parent if none is (a lock
// taken by hand then lasts as long as the shell that ran it).
Holder find_holder() {
  Holder holder;
  holder.pid = ::getppid();
  for (pid_t pid = ::getppid(); pid > 1;) {
    const auto info = process_info(pid);
    if (!info) break;
    if (is_build_tool(info->comm)) {
      holder.pid = pid;
      break;
    }
    pid = info->parent;
  }
  const auto info = process_info(holder.pid);
  holder.start_ticks = info ? info->start_ticks : 0;
  holder.command = command_line(holder.pid);
  // Ninja under `cmake --build`: the cmake command is what the user typed.
  if (info) {
    const auto parent = process_info(info->parent);
    if (parent && parent->comm == "cmake") holder.command = command_line(info->parent);
  }
  char since[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  holder.since = since;
  return holder;
}

std::string describe(const Holder& holder) {
  std::ostringstream out;
  out << "pid=" << holder.pid << "\nstart_ticks=" << holder.start_ticks << "\nsince=" << holder.since
      << "\ncommand=" << holder.command << "\n";
  return out.str();
}

Holder parse(const std::string& text) {
  Holder holder;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "pid") holder.pid = static_cast<pid_t>(std::atol(value.c_str()));
    if (key == "start_ticks") holder.start_ticks = std::strtoull(value.c_str(), nullptr, 10);
    if (key == "since") holder.since = value;
    if (key == "command") holder.command = value;
  }
  return holder;
}

bool alive(const Holder& holder) {
  const auto info = holder.pid > 0 ? process_info(holder.pid) : std::nullopt;
  return info && info->start_ticks == holder.start_ticks;
}

// Returns once the process is gone: pidfd_open(2) + poll where the kernel has
// it (5.3+), else a check every 100 ms. A pid reused by a new process (other
// start time) counts as gone.
void wait_for_exit(const Holder& holder) {
#ifdef SYS_pidfd_open
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, holder.pid, 0));
  if (pidfd >= 0 && alive(holder)) {
    pollfd fd{pidfd, POLLIN, 0};
    while (::poll(&fd, 1, -1) < 0) {
    }
    return;
  }
#endif
  while (alive(holder)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

// Detaches a child that keeps lock_fd (and so the lock) until the holder
// exits. It lets go of the step's stdout/stderr: the build tool waits for
// those pipes to close before it counts the step as done.
void keep_lock_in_background(int lock_fd, const Holder& holder) {
  const pid_t child = ::fork();
  if (child != 0) return;  // the step itself ends now (or fork failed: the lock ends with it)
  ::setsid();
  const int null_fd = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != lock_fd) ::close(fd);
  }
  wait_for_exit(holder);
  ::_exit(0);
}

void size_memory_pool(const std::string& dir) {
  const std::string mb_text = read_file(dir + "/job-memory-mb");
  const auto job_mb = parse_positive(mb_text.substr(0, mb_text.find('\n')).c_str());
  long long available_kb = 0;
  std::istringstream meminfo(read_file("/proc/meminfo"));
  std::string key;
  while (meminfo >> key) {
    if (key == "MemAvailable:") {
      meminfo >> available_kb;
      break;
    }
    meminfo.ignore(1 << 10, '\n');
  }
  if (!job_mb || available_kb <= 0) {
    std::fprintf(stderr, "jobslot: cannot size the memory pool %s: %s/job-memory-mb holds '%s' (expected MB a job), "
                 "MemAvailable %lld kB. Re-run cmake on the build directory.\n", dir.c_str(), dir.c_str(),
                 mb_text.c_str(), available_kb);
    std::exit(2);
  }
  const long long slots = std::max(1LL, available_kb / 1024 / *job_mb);
  write_file_atomically(dir + "/slots", std::to_string(slots) + "\n");
}

void write_plans(const PlanOptions& options) {
  std::vector<Unit> units;
  for (const auto& table : options.tables) {
    for (const Unit& unit : read_units(table)) units.push_back(unit);
  }
  for (const auto& pool : options.pools) {
    const auto colon = pool.rfind(':');
    const bool filtered = colon != std::string::npos && pool.compare(colon + 1, 1, ".") == 0;
    write_plan(filtered ? pool.substr(0, colon) : pool, units, filtered ? pool.substr(colon + 1) : "",
               options.threads, kPlanWindowMs);
  }
}

}  // namespace

int take_build_lock(const std::string& lock_path, const std::vector<std::string>& memory_pools,
                    const PlanOptions& plan) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(("jobslot: cannot open " + lock_path).c_str());
    return 2;
  }
  // A build that has just ended may still hold the lock for a moment (its
  // holder is gone, the background process has yet to notice): wait briefly.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const Holder holder = parse(read_file(lock_path));
    if (alive(holder) || std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr,
                   "jobslot: another build of this build tree is running: pid %d (%s), since %s.\n"
                   "  Found: %s held by that build; expected: no other build of this tree, since two would "
                   "compile, link, audit and stage the same files.\n"
                   "  Wait for it to end, or stop it (kill %d), then run your command again. To build at the same "
                   "time, use another build directory (cmake -B <dir>).\n",
                   holder.pid, holder.command.c_str(), holder.since.c_str(), lock_path.c_str(), holder.pid);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const Holder me = find_holder();
  const std::string text = describe(me);
  (void)!::ftruncate(fd, 0);
  (void)!::pwrite(fd, text.data(), text.size(), 0);
  for (const auto& pool : memory_pools) size_memory_pool(pool);
  write_plans(plan);
  keep_lock_in_background(fd, me);
  return 0;
}

}  // namespace jobslot
