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

// The device code (every entry, and the unique SASS and PTX targets) and
// the GPU verdict; present for every file, empty lists without device code.
json json_device_code(const FileReport& r) {
  json entries = json::array();
  std::vector<std::string> sass, ptx;
  for (const DeviceCode& c : r.device_code) {
    const char* kind = c.kind == DeviceCode::Kind::kSass ? "sass" : c.kind == DeviceCode::Kind::kPtx ? "ptx" : "other";
    entries.push_back({{"kind", kind}, {"arch", c.name()}, {"compressed", c.compression.empty() ? json(nullptr) : json(c.compression)},
                       {"offset", c.offset}});
    auto& names = c.kind == DeviceCode::Kind::kSass ? sass : ptx;
    if (c.kind != DeviceCode::Kind::kOther && std::find(names.begin(), names.end(), c.name()) == names.end())
      names.push_back(c.name());
  }
  return {{"requested", r.requested_archs.empty() ? json(nullptr) : json(r.requested_archs)},
          {"sass", sass},
          {"ptx", ptx},
          {"gpus", {{"native", r.gpus.native}, {"jit", r.gpus.jit}, {"none", r.gpus.none}}},
          {"verdict", r.gpus.line()},
          {"entries", entries}};
}

json json_file(const FileReport& r) {
  json out = {{"path", r.path}, {"passed", r.passed()}};
  if (!r.error.empty()) {
    out["error"] = r.error;
    return out;
  }
  out["highest"] = json_versions(r.highest);
  out["device_code"] = json_device_code(r);
  out["torch_symbols"] = r.symbols_checked ? json{{"searched", r.symbols_searched}} : json(nullptr);
  out["violations"] = json::array();
  for (const Violation& v : r.violations)
    out["violations"].push_back({{"check", v.check}, {"detail", v.detail}, {"symbols", v.symbols}});
  return out;
}

std::string device_line(const FileReport& r) {
  std::vector<std::string> names;
  size_t compressed = 0;
  for (const DeviceCode& c : r.device_code) {
    if (std::find(names.begin(), names.end(), c.name()) == names.end()) names.push_back(c.name());
    compressed += c.compression.empty() ? 0 : 1;
  }
  std::string line;
  for (const std::string& name : names) line += (line.empty() ? "" : " ") + name;
  if (compressed) line += " (" + std::to_string(compressed) + " of " + std::to_string(r.device_code.size()) + " entries compressed)";
  return (line.empty() ? "" : line + "; ") + r.gpus.line();
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
    out << "  device code: " << device_line(r) << "\n";
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
