#include "report.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace abi_audit {
namespace {

// Keys in insertion order, so the report reads policy, passed, files.
using json = nlohmann::ordered_json;

bool all_passed(const std::vector<FileReport>& reports) {
  return std::all_of(reports.begin(), reports.end(), [](const FileReport& r) { return r.passed(); });
}

std::string highest_line(const FileReport& report) {
  std::string line;
  for (const std::string& family : version_families()) {
    auto found = report.highest.find(family);
    line += "  " + family + "_" + (found == report.highest.end() ? "-" : found->second);
  }
  return line;
}

// Families in fixed order; null where the file needs none of that family.
json json_versions(const std::map<std::string, std::string>& versions) {
  json out = json::object();
  for (const std::string& family : version_families()) {
    auto found = versions.find(family);
    out[family] = found == versions.end() ? json(nullptr) : json(found->second);
  }
  return out;
}

json json_file(const FileReport& r) {
  json out = {{"path", r.path}, {"passed", r.passed()}};
  if (!r.error.empty()) {
    out["error"] = r.error;
    return out;
  }
  out["highest"] = json_versions(r.highest);
  out["violations"] = json::array();
  for (const Violation& v : r.violations)
    out["violations"].push_back({{"check", v.check}, {"detail", v.detail}, {"symbols", v.symbols}});
  return out;
}

}  // namespace

void write_text(std::ostream& out, const std::vector<FileReport>& reports, const Policy& policy) {
  size_t failed = 0;
  for (const FileReport& r : reports) {
    failed += r.passed() ? 0 : 1;
    if (!r.error.empty()) {
      out << "ERROR " << r.path << "\n  " << r.error << "\n";
      continue;
    }
    out << (r.passed() ? "PASS  " : "FAIL  ") << r.path << "\n  highest:" << highest_line(r) << "\n";
    for (const Violation& v : r.violations) {
      out << "  [" << v.check << "] " << v.detail << "\n";
      for (const std::string& symbol : v.symbols) out << "      " << symbol << "\n";
    }
  }
  out << "abi-audit: " << failed << " of " << reports.size() << " file(s) failed policy " << policy.name << " ("
      << policy.file << ")\n";
}

void write_json(std::ostream& out, const std::vector<FileReport>& reports, const Policy& policy) {
  json document = {{"policy",
                    {{"name", policy.name},
                     {"file", policy.file},
                     {"max", json_versions(policy.max)},
                     {"allow_needed", policy.allow_needed}}},
                   {"passed", all_passed(reports)},
                   {"files", json::array()}};
  for (const FileReport& r : reports) document["files"].push_back(json_file(r));
  // Bytes that are not UTF-8 (a member name in a wheel, say) are replaced,
  // not a reason to lose the whole report.
  out << document.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace abi_audit
