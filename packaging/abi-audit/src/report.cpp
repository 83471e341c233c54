#include "report.h"

#include <algorithm>
#include <cstdio>

namespace abi_audit {
namespace {

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

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Families in fixed order; null where the file needs none of that family.
std::string json_versions(const std::map<std::string, std::string>& versions) {
  std::string out = "{";
  for (const std::string& family : version_families()) {
    auto found = versions.find(family);
    out += (out.size() > 1 ? ", " : "") + json_string(family) + ": " +
           (found == versions.end() ? "null" : json_string(found->second));
  }
  return out + "}";
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? ", " : "") + json_string(item);
  return out + "]";
}

void write_json_file(std::ostream& out, const FileReport& r) {
  out << "    {\"path\": " << json_string(r.path) << ", \"passed\": " << (r.passed() ? "true" : "false");
  if (!r.error.empty()) {
    out << ", \"error\": " << json_string(r.error) << "}";
    return;
  }
  out << ",\n     \"highest\": " << json_versions(r.highest) << ",\n     \"violations\": [";
  for (size_t i = 0; i < r.violations.size(); ++i) {
    const Violation& v = r.violations[i];
    out << (i ? "," : "") << "\n       {\"check\": " << json_string(v.check) << ", \"detail\": " << json_string(v.detail)
        << ", \"symbols\": " << json_list(v.symbols) << "}";
  }
  out << (r.violations.empty() ? "]}" : "\n     ]}");
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
  out << "{\n  \"policy\": {\"name\": " << json_string(policy.name) << ", \"file\": " << json_string(policy.file)
      << ", \"max\": " << json_versions(policy.max) << ", \"allow_needed\": " << json_list(policy.allow_needed)
      << "},\n  \"passed\": " << (all_passed(reports) ? "true" : "false") << ",\n  \"files\": [\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    write_json_file(out, reports[i]);
    out << (i + 1 < reports.size() ? ",\n" : "\n");
  }
  out << "  ]\n}\n";
}

}  // namespace abi_audit
