// Platform tags (PEP 600): which manylinux_<x>_<y>_x86_64 tag a module or a
// wheel earns, decided as auditwheel decides it, from auditwheel's own
// manylinux-policy.json (its numbers are never copied into this code).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "elf_facts.h"

namespace abi_audit {

// One x86_64 entry of manylinux-policy.json.
struct ManylinuxPolicy {
  std::string tag;  // "manylinux_2_34_x86_64"
  int priority = 0;  // higher: more compatible (manylinux_2_5 is 100)
  // Version family ("GLIBCXX") -> every version name it may need ("GLIBCXX_3.4.29").
  std::map<std::string, std::set<std::string>> symbol_versions;
  std::set<std::string> lib_whitelist;  // DT_NEEDED names a system provides
};

struct ManylinuxPolicies {
  std::string file;
  std::vector<ManylinuxPolicy> policies;  // most compatible first; "linux" left out
};

// Reads auditwheel's manylinux-policy.json. Throws PolicyError naming the
// file and what is wrong with it.
ManylinuxPolicies load_manylinux_policies(const std::string& file);
ManylinuxPolicies parse_manylinux_policies(const std::string& text, const std::string& file);

// The DT_NEEDED a wheel may have beyond a policy's system libraries: what its
// requirements bring (globs, e.g. torch-provided's allow-needed) and the
// set's own shared objects (file names), as `auditwheel repair --exclude`.
struct Provided {
  std::vector<std::string> globs;
  std::set<std::string> names;
  bool covers(const std::string& needed) const;
};

// One thing that keeps a file off a policy.
struct Blocker {
  std::string file;    // the module (WHEEL!member for wheel members)
  std::string policy;  // the tag it is kept off
  std::string check;   // "symbol-version" or "needed"
  std::string what;    // GLIBCXX_3.4.32, or the library's name
  std::string library;  // symbol-version: the library the version is needed from
  std::vector<std::string> symbols;  // symbol-version: the symbols bound to it, demangled
  std::string detail() const;
};

struct TagVerdict {
  std::string tag;  // "manylinux_2_34_x86_64" or "linux_x86_64"
  // Why not the next more compatible tag: what keeps it off that policy (for
  // linux_x86_64, off the least compatible manylinux policy); empty when it
  // earned the most compatible one.
  std::vector<Blocker> held_by;
};

inline constexpr const char* kLinuxTag = "linux_x86_64";

// Everything in `facts` that the policy does not allow.
std::vector<Blocker> blockers(const std::string& file, const ElfFacts& facts, const ManylinuxPolicy& policy,
                              const Provided& provided);

// The most compatible policy the file satisfies.
TagVerdict earned_tag(const std::string& file, const ElfFacts& facts, const ManylinuxPolicies& policies,
                      const Provided& provided);

// A wheel or directory: the least compatible of its files' tags, held by the
// blockers of every file that has that tag.
TagVerdict combined_tag(const std::vector<TagVerdict>& files, const ManylinuxPolicies& policies);

}  // namespace abi_audit
