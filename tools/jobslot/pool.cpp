#include "pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "common.h"
#include "plan.h"

namespace jobslot {
namespace {

[[noreturn]] void fail_open(const std::string& path) {
  std::fprintf(stderr, "jobslot: cannot open %s: %s (is the pool directory writable?)\n", path.c_str(),
               std::strerror(errno));
  std::exit(2);
}

struct Waiter {
  long long cost = 0;
  long long arrival_ns = 0;
  long pid = 0;
  long demand = 1;

  bool ranks_above(const Waiter& other) const {
    if (cost != other.cost) return cost > other.cost;
    if (arrival_ns != other.arrival_ns) return arrival_ns < other.arrival_ns;
    return pid < other.pid;
  }
};

long long now_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

// Publishes this waiter in <dir>/queue/<pid>, holding an flock on the entry
// while it waits. Written under a temporary name and renamed, so a reader
// never sees an entry without its content or its lock.
int register_waiter(const std::string& queue, const Waiter& me) {
  ::mkdir(queue.c_str(), 0755);
  const std::string name = queue + "/" + std::to_string(me.pid);
  const std::string temporary = queue + "/." + std::to_string(me.pid);
  const int fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_open(temporary);
  const std::string line =
      std::to_string(me.cost) + " " + std::to_string(me.arrival_ns) + " " + std::to_string(me.demand) + "\n";
  (void)!::write(fd, line.data(), line.size());
  ::flock(fd, LOCK_EX);
  ::rename(temporary.c_str(), name.c_str());
  return fd;
}

struct Queue {
  long ahead = 0;   // demand of the live waiters ranked above `me`
  long others = 0;  // live waiters other than `me`
};

// The live waiters of the queue as seen by `me`; removes entries whose
// process is gone (their flock is free).
Queue scan_queue(const std::string& queue, const Waiter& me) {
  Queue seen;
  DIR* dir = ::opendir(queue.c_str());
  if (dir == nullptr) return seen;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    Waiter other;
    other.pid = std::atol(entry->d_name);
    if (other.pid == me.pid) continue;
    const std::string path = queue + "/" + entry->d_name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
      ::unlink(path.c_str());  // its waiter died without unregistering
      ::close(fd);
      continue;
    }
    ::close(fd);
    std::istringstream(read_file(path)) >> other.cost >> other.arrival_ns >> other.demand;
    ++seen.others;
    if (other.ranks_above(me)) seen.ahead += other.demand;
  }
  ::closedir(dir);
  return seen;
}

// Locks up to `wanted` free slots without waiting.
std::vector<int> take_free(const Pool& pool, long wanted) {
  std::vector<int> held;
  for (long i = 0; i < pool.slots && static_cast<long>(held.size()) < wanted; ++i) {
    const std::string path = pool.dir + "/slot." + std::to_string(i);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);  // no O_CLOEXEC: the command keeps it
    if (fd < 0) fail_open(path);
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      held.push_back(fd);
    } else {
      ::close(fd);
    }
  }
  return held;
}

void release(std::vector<int>& fds, size_t keep) {
  while (fds.size() > keep) {
    ::close(fds.back());
    fds.pop_back();
  }
}

// A one-number file's text without its trailing newline.
std::string read_trimmed(const std::string& path) {
  std::string text = read_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

long pool_size_from_file(const std::string& dir) {
  const std::string path = dir + "/slots";
  const std::string text = read_trimmed(path);
  const auto size = parse_positive(text.c_str());
  if (!size) {
    std::fprintf(stderr,
                 "jobslot: pool %s has no size: %s holds '%s', expected a positive number. It is written when "
                 "the superbuild is configured (jobs) and when its build starts (nvcc); run cmake --build on the "
                 "superbuild's build directory.\n",
                 dir.c_str(), path.c_str(), text.c_str());
    std::exit(2);
  }
  return *size;
}

long remote_pool_size(const std::string& dir) {
  const std::string path = dir + "/slots";
  const std::string text = read_trimmed(path);
  if (text.empty() || text == "0") return 0;
  const auto size = parse_positive(text.c_str());
  if (!size) {
    std::fprintf(stderr,
                 "jobslot: remote pool %s: %s holds '%s', expected the build farm's cores or 0. It is written "
                 "when the build starts (cmake/scripts/sccache_server.cmake); run cmake --build again.\n",
                 dir.c_str(), path.c_str(), text.c_str());
    std::exit(2);
  }
  return *size;
}

std::vector<int> acquire(const Pool& pool, const Request& request) {
  const long demand = request.demand;
  const Waiter me{request.cost, now_ns(), static_cast<long>(::getpid()), demand};
  ::mkdir(pool.dir.c_str(), 0755);  // a <dir>:<n> pool needs no set-up
  open_window(pool.dir);
  const std::string queue = pool.dir + "/queue";
  // Waiters ranked above this job and units the plan still expects above it.
  const auto ahead_of_me = [&](const Queue& seen) {
    const long planned = request.cold ? planned_ahead(pool.dir, pool.slots, request.smallest_pool, request.cost) : 0;
    return seen.ahead + planned;
  };
  // Up to `most` while no one else waits or is expected: see pool.h.
  const auto widen = [&](std::vector<int> held) {
    const long wanted = request.most - static_cast<long>(held.size());
    const Queue seen = scan_queue(queue, me);
    if (wanted > 0 && seen.others == 0 && ahead_of_me(seen) == 0) {
      for (int fd : take_free(pool, wanted)) held.push_back(fd);
    }
    return held;
  };
  // Uncontended: no one waits or is expected, the slots are free — take them, skip the queue.
  if (ahead_of_me(scan_queue(queue, me)) == 0) {
    std::vector<int> held = take_free(pool, demand);
    if (static_cast<long>(held.size()) == demand) {
      mark_arrived(pool.dir, request.object);
      return widen(std::move(held));
    }
    release(held, 0);
  }
  // Registered before marked arrived: others always see this unit in the
  // queue or in the plan, never in neither.
  const int entry = register_waiter(queue, me);
  mark_arrived(pool.dir, request.object);
  std::chrono::milliseconds backoff(2);
  for (;;) {
    const long ahead = ahead_of_me(scan_queue(queue, me));
    std::vector<int> held = take_free(pool, ahead + demand);
    if (static_cast<long>(held.size()) == ahead + demand) {
      // Keep the first `demand`; the rest go back to those ranked above.
      release(held, demand);
      ::unlink((queue + "/" + std::to_string(me.pid)).c_str());
      ::close(entry);
      return widen(std::move(held));
    }
    release(held, 0);
    // Far back in the queue a slot cannot be ours soon: look less often, so
    // dozens of waiting compiles cost next to no CPU.
    std::this_thread::sleep_for(ahead >= pool.slots ? std::chrono::milliseconds(400) : backoff);
    if (backoff < std::chrono::milliseconds(50)) backoff *= 2;
  }
}

}  // namespace jobslot
