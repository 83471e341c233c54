// Known cost of a compile unit, so the longest units start first on a cold
// build (Ninja has no log then, and orders by its own manifest).
//
// A cost table is a directory of *.tsv files (tools/jobslot/costs/,
// one per package, written from a jobslot trace by bench.py --write-costs):
//   # comment lines (machine, date, pin)
//   <milliseconds>\t<target>\t<source path relative to the package>
// A unit matches when its object (-o) is CMakeFiles/<target>.dir/.../<source>.o,
// which holds wherever the package's tree lives (clone, source cache, checkout).
#pragma once

#include <string>
#include <vector>

namespace jobslot {

struct Unit {
  long long ms = 0;
  std::string target;
  std::string source;

  // Whether this row is the unit that writes `object`.
  bool writes(const std::string& object) const;
};

// The rows of `path`: one table file, or every *.tsv of a directory.
std::vector<Unit> read_units(const std::string& path);

// Milliseconds the table gives the unit that writes `object`; 0 if unknown
// (unknown units queue after known ones, in arrival order).
long long unit_cost(const std::string& table_dir, const std::string& object);

// Milliseconds of every unit in the table: the work of a whole cold build.
long long total_cost(const std::string& table_dir);

bool ends_with(const std::string& text, const std::string& tail);

}  // namespace jobslot
