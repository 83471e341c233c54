// Audit policies: version ceilings and the DT_NEEDED allow-list, read from
// the text files in policies/ (format documented in README.md).
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace abi_audit {

// A policy that cannot be found or parsed (CLI exit code 2).
struct PolicyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The version families checked, in report order. A version name belongs to
// a family when it is "<FAMILY>_<numeric version>" (GLIBCXX_3.4.29).
const std::vector<std::string>& version_families();

// "3.4.29" -> {3,4,29}; nullopt when any component is not a number.
std::optional<std::vector<unsigned long>> parse_version(const std::string& text);

// Numeric per component, missing components count as 0 (3.4 == 3.4.0).
int compare_versions(const std::vector<unsigned long>& a, const std::vector<unsigned long>& b);

// Splits "GLIBCXX_3.4.29" into {"GLIBCXX", "3.4.29"}; nullopt for names of
// no checked family or with a non-numeric tail (GLIBC_PRIVATE, CXXABI_TM_1).
std::optional<std::pair<std::string, std::string>> split_version_name(const std::string& name);

struct Policy {
  std::string name;
  std::string file;                        // where it was read from
  std::map<std::string, std::string> max;  // family -> highest allowed version
  std::vector<std::string> allow_needed;   // fnmatch globs for DT_NEEDED
};

// NAME (looked up in policy_search_dirs) or a FILE path.
Policy load_policy(const std::string& name_or_file, const std::vector<std::string>& search_dirs);

// A policy held in memory, as if read from `file` (the fuzz target's entry).
Policy parse_policy_text(const std::string& text, const std::string& file, const std::vector<std::string>& search_dirs);

// Where NAME.policy is looked for: next to the executable (build tree), the
// relocatable install layout, then the compiled-in install directory.
std::vector<std::string> policy_search_dirs(const std::string& executable_dir);

}  // namespace abi_audit
