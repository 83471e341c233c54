#include "policy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef ABI_AUDIT_POLICY_INSTALL_DIR
#define ABI_AUDIT_POLICY_INSTALL_DIR ""
#endif

namespace abi_audit {
namespace fs = std::filesystem;

const std::vector<std::string>& version_families() {
  static const std::vector<std::string> families = {"GLIBCXX", "CXXABI", "GLIBC", "GCC"};
  return families;
}

std::optional<std::vector<unsigned long>> parse_version(const std::string& text) {
  std::vector<unsigned long> parts;
  size_t start = 0;
  for (;;) {
    const size_t dot = text.find('.', start);
    const std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    parts.push_back(std::stoul(part));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

int compare_versions(const std::vector<unsigned long>& a, const std::vector<unsigned long>& b) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const unsigned long x = i < a.size() ? a[i] : 0;
    const unsigned long y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::optional<std::pair<std::string, std::string>> split_version_name(const std::string& name) {
  for (const std::string& family : version_families()) {
    if (name.size() > family.size() + 1 && name.compare(0, family.size(), family) == 0 &&
        name[family.size()] == '_') {
      std::string tail = name.substr(family.size() + 1);
      if (parse_version(tail)) return std::make_pair(family, tail);
    }
  }
  return std::nullopt;
}

std::vector<std::string> policy_search_dirs(const std::string& executable_dir) {
  std::vector<std::string> dirs;
  if (!executable_dir.empty()) {
    dirs.push_back(executable_dir + "/policies");
    dirs.push_back(executable_dir + "/../share/abi-audit/policies");
  }
  if (*ABI_AUDIT_POLICY_INSTALL_DIR) dirs.push_back(ABI_AUDIT_POLICY_INSTALL_DIR);
  return dirs;
}

namespace {

constexpr int kMaxIncludeDepth = 8;

std::string trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// A FILE path is used as given; a NAME becomes NAME.policy in the dirs.
std::string resolve(const std::string& name_or_file, const std::vector<std::string>& dirs) {
  std::error_code ec;
  if (fs::is_regular_file(name_or_file, ec)) return name_or_file;
  if (name_or_file.find('/') != std::string::npos)
    throw PolicyError("policy file " + name_or_file + " not found; pass an existing file or a policy name");
  std::string tried;
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + name_or_file + ".policy";
    if (fs::is_regular_file(candidate, ec)) return candidate;
    tried += "\n  " + candidate;
  }
  throw PolicyError("policy '" + name_or_file + "' not found; looked for:" + tried +
                    "\nPass a policy file path, or a name shipped in policies/ (rocky9, manylinux_2_28).");
}

class Parser {
 public:
  explicit Parser(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

  void parse(const std::string& file, Policy& policy, int depth) {
    if (depth > kMaxIncludeDepth)
      throw PolicyError(file + ": includes nest deeper than " + std::to_string(kMaxIncludeDepth) +
                        " levels; is there an include cycle?");
    std::ifstream in(file);
    if (!in) throw PolicyError("cannot read policy file " + file);
    parse_lines(in, file, policy, depth);
  }

  // `file` names the lines in errors and anchors relative includes.
  void parse_lines(std::istream& in, const std::string& file, Policy& policy, int depth) {
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      line = trim(line);
      if (line.empty() || line[0] == '#') continue;
      const std::string where = file + ":" + std::to_string(number);
      const size_t eq = line.find('=');
      if (eq == std::string::npos) throw PolicyError(where + ": expected 'key = value', found '" + line + "'");
      apply(where, file, normalise_key(trim(line.substr(0, eq))), trim(line.substr(eq + 1)), policy, depth);
    }
  }

 private:
  // "max   GLIBCXX" -> "max GLIBCXX", so spacing in the file does not matter.
  static std::string normalise_key(const std::string& key) {
    std::istringstream words(key);
    std::string word, out;
    while (words >> word) out += (out.empty() ? "" : " ") + word;
    return out;
  }

  void apply(const std::string& where, const std::string& file, const std::string& key, const std::string& value,
             Policy& policy, int depth) {
    if (value.empty()) throw PolicyError(where + ": '" + key + "' has no value");
    if (key == "name") {
      if (depth == 0) policy.name = value;  // an included file does not rename the policy
    } else if (key == "description") {
      // documentation only
    } else if (key == "include") {
      std::vector<std::string> dirs = {fs::path(file).parent_path().string()};
      dirs.insert(dirs.end(), dirs_.begin(), dirs_.end());
      parse(resolve(value, dirs), policy, depth + 1);
    } else if (key == "allow-needed") {
      policy.allow_needed.push_back(value);
    } else if (key.rfind("max ", 0) == 0) {
      apply_max(where, key.substr(4), value, policy);
    } else {
      throw PolicyError(where + ": unknown key '" + key +
                        "'; expected name, description, include, allow-needed or max <FAMILY>");
    }
  }

  static void apply_max(const std::string& where, const std::string& family, const std::string& value,
                        Policy& policy) {
    const auto& families = version_families();
    if (std::find(families.begin(), families.end(), family) == families.end())
      throw PolicyError(where + ": unknown version family '" + family + "'; expected GLIBCXX, CXXABI, GLIBC or GCC");
    if (value == "none") {
      policy.max.erase(family);  // lifts a ceiling set by an included policy
    } else if (parse_version(value)) {
      policy.max[family] = value;
    } else {
      throw PolicyError(where + ": 'max " + family + "' must be a numeric version like 3.4.29 or 'none', found '" +
                        value + "'");
    }
  }

  std::vector<std::string> dirs_;
};

// A policy without a `name` line is called after its file.
Policy with_default_name(Policy policy) {
  if (policy.name.empty()) policy.name = fs::path(policy.file).stem().string();
  return policy;
}

}  // namespace

Policy load_policy(const std::string& name_or_file, const std::vector<std::string>& search_dirs) {
  Policy policy;
  policy.file = resolve(name_or_file, search_dirs);
  Parser(search_dirs).parse(policy.file, policy, 0);
  return with_default_name(std::move(policy));
}

Policy parse_policy_text(const std::string& text, const std::string& file, const std::vector<std::string>& search_dirs) {
  Policy policy;
  policy.file = file;
  std::istringstream in(text);
  Parser(search_dirs).parse_lines(in, file, policy, 0);
  return with_default_name(std::move(policy));
}

}  // namespace abi_audit
