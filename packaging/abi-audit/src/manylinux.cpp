#include "manylinux.h"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "checks.h"
#include "policy.h"

namespace abi_audit {
namespace {

using json = nlohmann::json;

// auditwheel judges x86_64 wheels by the entries' "x86_64" symbol versions
// and names the tag <policy>_x86_64.
constexpr const char* kArch = "x86_64";
constexpr size_t kSymbolsInDetail = 3;

[[noreturn]] void bad_json(const std::string& file, const std::string& what) {
  throw PolicyError(file + ": " + what +
                    "; expected auditwheel's manylinux-policy.json (a list of policies with name, priority, "
                    "symbol_versions and lib_whitelist). Pass the file of an installed auditwheel: python3 -c "
                    "'import auditwheel.policy as p, os; print(os.path.join(os.path.dirname(p.__file__), "
                    "\"manylinux-policy.json\"))'");
}

std::set<std::string> strings_of(const json& list, const std::string& file, const std::string& where) {
  if (!list.is_array()) bad_json(file, where + " is not a list");
  std::set<std::string> out;
  for (const json& item : list) {
    if (!item.is_string()) bad_json(file, where + " holds " + item.dump() + ", not a string");
    out.insert(item.get<std::string>());
  }
  return out;
}

std::optional<ManylinuxPolicy> read_entry(const json& entry, const std::string& file) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
    bad_json(file, "an entry has no \"name\": " + entry.dump().substr(0, 80));
  const std::string name = entry["name"];
  const json& versions = entry.value("symbol_versions", json::object());
  if (!versions.is_object()) bad_json(file, name + "'s symbol_versions is not an object");
  // "linux" (no versions) is the fallback, kLinuxTag; other architectures' entries are not ours.
  if (!versions.contains(kArch)) return std::nullopt;
  if (!entry.contains("priority") || !entry["priority"].is_number_integer())
    bad_json(file, name + " has no integer \"priority\"");
  if (!versions[kArch].is_object()) bad_json(file, name + "'s symbol_versions." + kArch + " is not an object");
  ManylinuxPolicy policy;
  policy.tag = name + "_" + kArch;
  policy.priority = entry["priority"];
  for (const auto& [family, list] : versions[kArch].items()) {
    for (const std::string& version : strings_of(list, file, name + "'s " + family + " versions"))
      policy.symbol_versions[family].insert(family + "_" + version);
  }
  policy.lib_whitelist = strings_of(entry.value("lib_whitelist", json()), file, name + "'s lib_whitelist");
  return policy;
}

// auditwheel's family of a needed version: the text before the first '_'
// (GLIBC_PRIVATE is of GLIBC, and allowed by no policy).
std::string family_of(const std::string& version) { return version.substr(0, version.find('_')); }

// Families in the report's order, then others; higher versions first.
bool blocker_order(const Blocker& a, const Blocker& b) {
  const auto rank = [](const Blocker& x) {
    const auto& families = version_families();
    return std::find(families.begin(), families.end(), family_of(x.what)) - families.begin();
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  const auto va = split_version_name(a.what), vb = split_version_name(b.what);
  if (va && vb) return compare_versions(*parse_version(va->second), *parse_version(vb->second)) > 0;
  return a.what < b.what;
}

bool is_dynamic_loader(const std::string& name) { return name.rfind("ld-linux", 0) == 0; }

size_t rank_of(const std::string& tag, const ManylinuxPolicies& policies) {
  for (size_t i = 0; i < policies.policies.size(); ++i)
    if (policies.policies[i].tag == tag) return i;
  return policies.policies.size();  // linux_x86_64
}

}  // namespace

ManylinuxPolicies parse_manylinux_policies(const std::string& text, const std::string& file) {
  const json document = json::parse(text, nullptr, false);
  if (document.is_discarded()) bad_json(file, "is not JSON");
  if (!document.is_array()) bad_json(file, "is not a list");
  ManylinuxPolicies out;
  out.file = file;
  for (const json& entry : document) {
    if (auto policy = read_entry(entry, file)) out.policies.push_back(std::move(*policy));
  }
  if (out.policies.empty()) bad_json(file, std::string("has no policy for ") + kArch);
  std::stable_sort(out.policies.begin(), out.policies.end(),
                   [](const ManylinuxPolicy& a, const ManylinuxPolicy& b) { return a.priority > b.priority; });
  return out;
}

ManylinuxPolicies load_manylinux_policies(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw PolicyError("cannot read the manylinux policy file " + file +
                      "; it comes with auditwheel (pip install auditwheel): pass its policy/manylinux-policy.json");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manylinux_policies(text.str(), file);
}

bool Provided::covers(const std::string& needed) const {
  if (names.count(needed)) return true;
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return fnmatch(glob.c_str(), needed.c_str(), 0) == 0; });
}

std::string Blocker::detail() const {
  if (check == "needed")
    return "needs " + what + ", which " + policy +
           " does not list as a system library and nothing the wheel requires provides";
  std::string text = "requires " + what + " (from " + library + "), which " + policy + " does not allow";
  for (size_t i = 0; i < symbols.size() && i < kSymbolsInDetail; ++i) text += (i ? ", " : ": ") + symbols[i];
  if (symbols.size() > kSymbolsInDetail)
    text += " (+" + std::to_string(symbols.size() - kSymbolsInDetail) + " more)";
  return text;
}

std::vector<Blocker> blockers(const std::string& file, const ElfFacts& facts, const ManylinuxPolicy& policy,
                              const Provided& provided) {
  std::vector<Blocker> out;
  std::set<std::string> seen;
  for (const VersionNeed& need : facts.version_needs) {
    if (is_dynamic_loader(need.file) || !seen.insert(need.version).second) continue;
    const auto allowed = policy.symbol_versions.find(family_of(need.version));
    if (allowed == policy.symbol_versions.end() || allowed->second.count(need.version)) continue;
    Blocker blocker{file, policy.tag, "symbol-version", need.version, need.file, {}};
    const auto bound = facts.symbols_by_version.find(need.version);
    if (bound != facts.symbols_by_version.end()) {
      std::set<std::string> names;
      for (const std::string& symbol : bound->second) names.insert(demangle(symbol));
      blocker.symbols.assign(names.begin(), names.end());
    }
    out.push_back(std::move(blocker));
  }
  std::sort(out.begin(), out.end(), blocker_order);
  for (const std::string& needed : facts.needed) {
    if (is_dynamic_loader(needed) || policy.lib_whitelist.count(needed) || provided.covers(needed)) continue;
    out.push_back({file, policy.tag, "needed", needed, "", {}});
  }
  return out;
}

TagVerdict earned_tag(const std::string& file, const ElfFacts& facts, const ManylinuxPolicies& policies,
                      const Provided& provided) {
  std::vector<Blocker> previous;  // what keeps it off the next more compatible policy
  for (const ManylinuxPolicy& policy : policies.policies) {
    std::vector<Blocker> found = blockers(file, facts, policy, provided);
    if (found.empty()) return {policy.tag, std::move(previous)};
    previous = std::move(found);
  }
  return {kLinuxTag, std::move(previous)};
}

TagVerdict combined_tag(const std::vector<TagVerdict>& files, const ManylinuxPolicies& policies) {
  TagVerdict out{policies.policies.front().tag, {}};
  size_t worst = 0;
  for (const TagVerdict& verdict : files) worst = std::max(worst, rank_of(verdict.tag, policies));
  for (const TagVerdict& verdict : files) {
    if (rank_of(verdict.tag, policies) != worst) continue;
    out.tag = verdict.tag;
    out.held_by.insert(out.held_by.end(), verdict.held_by.begin(), verdict.held_by.end());
  }
  return out;
}

}  // namespace abi_audit
