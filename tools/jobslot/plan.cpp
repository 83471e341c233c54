#include "plan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "common.h"

namespace jobslot {
namespace {

struct Plan {
  long long window_ms = 0;
  long threads = 1;
  std::vector<Unit> units;
};

Plan read_plan(const std::string& pool_dir) {
  Plan plan;
  std::istringstream lines(read_file(pool_dir + "/plan"));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "window_ms") fields >> plan.window_ms;
    if (key == "threads") fields >> plan.threads;
  }
  plan.units = read_units(pool_dir + "/plan");  // the header lines are not rows: they start with no number
  return plan;
}

std::string marks(const std::string& pool_dir) { return pool_dir + "/plan.d"; }

bool exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

}  // namespace

void write_plan(const std::string& pool_dir, const std::vector<Unit>& units, const std::string& suffix, long threads,
                long long window_ms) {
  std::ostringstream text;
  text << "# Written by jobslot --build-lock at the build's start (tools/jobslot/plan.h).\nwindow_ms " << window_ms
       << "\nthreads " << threads << "\n";
  for (const Unit& unit : units) {
    if (ends_with(unit.source, suffix)) text << unit.ms << "\t" << unit.target << "\t" << unit.source << "\n";
  }
  const std::string dir = marks(pool_dir);
  ::mkdir(pool_dir.c_str(), 0755);  // a pool of the tests, <dir>:<n>, may not exist yet
  ::mkdir(dir.c_str(), 0755);
  if (DIR* entries = ::opendir(dir.c_str())) {
    while (const dirent* entry = ::readdir(entries)) {
      if (entry->d_name[0] != '.') ::unlink((dir + "/" + entry->d_name).c_str());
    }
    ::closedir(entries);
  }
  write_file_atomically(pool_dir + "/plan", text.str());
}

void open_window(const std::string& pool_dir) {
  const std::string path = marks(pool_dir) + "/open";
  // O_EXCL: the first compile's time stays; no plan.d (no plan): nothing.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string now = std::to_string(now_ms()) + "\n";
  (void)!::write(fd, now.data(), now.size());
  ::close(fd);
}

void mark_arrived(const std::string& pool_dir, const std::string& object) {
  const Plan plan = read_plan(pool_dir);
  for (size_t row = 0; row < plan.units.size(); ++row) {
    if (!plan.units[row].writes(object)) continue;
    const int fd = ::open((marks(pool_dir) + "/" + std::to_string(row)).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
  }
}

long planned_ahead(const std::string& pool_dir, long pool_slots, long smallest_pool, long long cost) {
  const Plan plan = read_plan(pool_dir);
  if (plan.units.empty()) return 0;
  // Opened by this job if by no one before it (acquire calls open_window
  // first); an unreadable time counts as closed.
  long long opened = 0;
  std::istringstream(read_file(marks(pool_dir) + "/open")) >> opened;
  if (opened <= 0 || now_ms() > opened + plan.window_ms) return 0;
  long long total = 0;
  for (const Unit& unit : plan.units) total += unit.ms;
  const long long per_slot = total / std::max(1L, smallest_pool);
  long ahead = 0;
  for (size_t row = 0; row < plan.units.size(); ++row) {
    const Unit& unit = plan.units[row];
    if (unit.ms <= cost || exists(marks(pool_dir) + "/" + std::to_string(row))) continue;
    const bool critical = ends_with(unit.source, ".cu") && unit.ms > per_slot;
    ahead += critical ? std::min(plan.threads, pool_slots) : 1;
  }
  return ahead;
}

}  // namespace jobslot
