#include "costs.h"

#include <dirent.h>

#include <sstream>

#include "common.h"

namespace jobslot {
namespace {

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// "CMakeFiles/<target>.dir/" inside the object path: the target's name.
std::string target_of(const std::string& object) {
  const std::string marker = "CMakeFiles/";
  const auto start = object.find(marker);
  if (start == std::string::npos) return "";
  const auto end = object.find(".dir/", start);
  if (end == std::string::npos) return "";
  return object.substr(start + marker.size(), end - start - marker.size());
}

}  // namespace

// Calls `row(ms, target, source)` for every row of every table in the directory.
template <typename Row>
void for_each_row(const std::string& table_dir, Row row) {
  if (table_dir.empty()) return;
  DIR* dir = ::opendir(table_dir.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (!ends_with(name, ".tsv")) continue;
    std::istringstream table(read_file(table_dir + "/" + name));
    std::string line;
    while (std::getline(table, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      long long ms = 0;
      std::string row_target, source;
      if (!(fields >> ms) || !std::getline(fields >> std::ws, row_target, '\t') || !std::getline(fields, source)) {
        continue;
      }
      row(ms, row_target, source);
    }
  }
  ::closedir(dir);
}

long long unit_cost(const std::string& table_dir, const std::string& object) {
  const std::string target = target_of(object);
  if (target.empty()) return 0;
  long long cost = 0;
  for_each_row(table_dir, [&](long long ms, const std::string& row_target, const std::string& source) {
    if (row_target == target && ends_with(object, "/" + source + ".o")) cost = ms;
  });
  return cost;
}

long long total_cost(const std::string& table_dir) {
  long long total = 0;
  for_each_row(table_dir, [&](long long ms, const std::string&, const std::string&) { total += ms; });
  return total;
}

}  // namespace jobslot
