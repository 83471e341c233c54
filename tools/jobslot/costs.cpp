#include "costs.h"

#include <dirent.h>

#include <sstream>

#include "common.h"

namespace jobslot {
namespace {

// "CMakeFiles/<target>.dir/" inside the object path: the target's name.
std::string target_of(const std::string& object) {
  const std::string marker = "CMakeFiles/";
  const auto start = object.find(marker);
  if (start == std::string::npos) return "";
  const auto end = object.find(".dir/", start);
  if (end == std::string::npos) return "";
  return object.substr(start + marker.size(), end - start - marker.size());
}

void read_table(const std::string& file, std::vector<Unit>& units) {
  std::istringstream table(read_file(file));
  std::string line;
  while (std::getline(table, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Unit unit;
    if ((fields >> unit.ms) && std::getline(fields >> std::ws, unit.target, '\t') && std::getline(fields, unit.source)) {
      units.push_back(unit);
    }
  }
}

}  // namespace

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

bool Unit::writes(const std::string& object) const {
  return target_of(object) == target && ends_with(object, "/" + source + ".o");
}

std::vector<Unit> read_units(const std::string& path) {
  std::vector<Unit> units;
  if (path.empty()) return units;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    read_table(path, units);
    return units;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (ends_with(name, ".tsv")) read_table(path + "/" + name, units);
  }
  ::closedir(dir);
  return units;
}

long long unit_cost(const std::string& table_dir, const std::string& object) {
  long long cost = 0;
  for (const Unit& unit : read_units(table_dir)) {
    if (unit.writes(object)) cost = unit.ms;
  }
  return cost;
}

long long total_cost(const std::string& table_dir) {
  long long total = 0;
  for (const Unit& unit : read_units(table_dir)) total += unit.ms;
  return total;
}

}  // namespace jobslot
