// What the fuzz targets share: a policy built in code (no file to find),
// with rocky9's ceilings, so every check runs on the fuzzed input.
#pragma once

#include <sstream>
#include <vector>

#include "checks.h"
#include "manylinux.h"
#include "policy.h"
#include "report.h"
#include "tag_report.h"

namespace abi_audit_fuzz {

inline const abi_audit::Policy& policy() {
  static const abi_audit::Policy rocky9_like = [] {
    abi_audit::Policy p;
    p.name = "fuzz";
    p.file = "fuzz.policy";
    p.max = {{"GLIBCXX", "3.4.29"}, {"CXXABI", "1.3.13"}, {"GLIBC", "2.34"}, {"GCC", "7.0.0"}};
    p.allow_needed = {"libc.so.6", "libstdc++.so.6", "libc10*.so"};
    return p;
  }();
  return rocky9_like;
}

// Both report formats, so what the readers return is also written out.
inline void write_reports(const std::vector<abi_audit::FileReport>& reports) {
  std::ostringstream out;
  abi_audit::write_text(out, reports, policy());
  abi_audit::write_json(out, reports, policy());
}

// Two made-up manylinux policies (not auditwheel's numbers: any set of
// versions and libraries exercises the judgement), so --platform-tag's
// verdicts and both its report formats run on the fuzzed input too.
inline const abi_audit::ManylinuxPolicies& manylinux() {
  static const abi_audit::ManylinuxPolicies policies = abi_audit::parse_manylinux_policies(R"([
    {"name": "manylinux_fuzz_old", "priority": 90, "lib_whitelist": ["libc.so.6"],
     "symbol_versions": {"x86_64": {"GLIBC": ["2.2.5"], "GLIBCXX": ["3.4"]}}},
    {"name": "manylinux_fuzz_new", "priority": 50, "lib_whitelist": ["libc.so.6", "libstdc++.so.6"],
     "symbol_versions": {"x86_64": {"GLIBC": ["2.2.5", "2.34"], "GLIBCXX": ["3.4", "3.4.29"]}}}])",
                                                                                          "fuzz-manylinux.json");
  return policies;
}

inline void write_tags(const std::string& path, const std::string& file_name, const abi_audit::ElfFacts& facts) {
  const abi_audit::TagJudgement judgement =
      abi_audit::judge_tags({{path, {abi_audit::ReadFile{path, file_name, "", facts}}}}, manylinux(), policy());
  std::ostringstream out;
  abi_audit::write_tags_text(out, judgement);
  abi_audit::write_tags_json(out, judgement);
}

}  // namespace abi_audit_fuzz
