// What the fuzz targets share: a policy built in code (no file to find),
// with rocky9's ceilings, so every check runs on the fuzzed input.
#pragma once

#include <sstream>
#include <vector>

#include "checks.h"
#include "policy.h"
#include "report.h"

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

}  // namespace abi_audit_fuzz
