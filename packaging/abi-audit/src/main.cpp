// abi-audit: checks shared objects, directories of them and wheels against
// an ABI policy (symbol-version ceilings, PyInit_, RUNPATH, DT_NEEDED).
// Exit codes: 0 all pass, 1 violations, 2 unreadable input or bad usage.
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "inputs.h"
#include "policy.h"
#include "report.h"

namespace {

constexpr int kExitPass = 0;
constexpr int kExitViolations = 1;
constexpr int kExitUnreadable = 2;

constexpr const char* kUsage =
    "usage: abi-audit [--policy NAME|FILE] [--format text|json] [--json-out FILE] PATH...\n"
    "  PATH     a shared object, a directory (searched for *.so, *.so.N) or a .whl\n"
    "  --policy a policy name shipped in policies/ (default rocky9) or a policy file\n"
    "  --format text (default) or json, on standard output\n"
    "  --json-out also write the JSON report to FILE (one run gives the build log its text\n"
    "           and the build its machine-readable stamp)\n"
    "exit: 0 all pass, 1 violations, 2 unreadable input or bad usage\n";

struct Options {
  std::string policy = "rocky9";
  std::string format = "text";
  std::string json_out;
  std::vector<std::string> paths;
};

int usage_error(const std::string& message) {
  std::cerr << "abi-audit: " << message << "\n" << kUsage;
  return kExitUnreadable;
}

// The policies/ directory is found relative to the executable, so the build
// tree and a relocated install both work without configuration.
std::string executable_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

// Returns -1 when parsing succeeded, else the exit code to return.
int parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitPass;
    }
    if (arg == "--policy" || arg == "--format" || arg == "--json-out") {
      if (i + 1 >= argc) return usage_error(arg + " needs a value");
      (arg == "--policy" ? options.policy : arg == "--format" ? options.format : options.json_out) = argv[++i];
    } else if (arg.rfind("--policy=", 0) == 0) {
      options.policy = arg.substr(9);
    } else if (arg.rfind("--format=", 0) == 0) {
      options.format = arg.substr(9);
    } else if (arg.rfind("--json-out=", 0) == 0) {
      options.json_out = arg.substr(11);
    } else if (arg == "--") {
      options.paths.insert(options.paths.end(), argv + i + 1, argv + argc);
      break;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usage_error("unknown option " + arg);
    } else {
      options.paths.push_back(arg);
    }
  }
  if (options.format != "text" && options.format != "json")
    return usage_error("--format must be text or json, found '" + options.format + "'");
  if (options.paths.empty()) return usage_error("no PATH given");
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace abi_audit;
  Options options;
  if (const int code = parse(argc, argv, options); code >= 0) return code;

  Policy policy;
  try {
    policy = load_policy(options.policy, policy_search_dirs(executable_dir()));
  } catch (const PolicyError& e) {
    std::cerr << "abi-audit: " << e.what() << "\n";
    return kExitUnreadable;
  }

  std::vector<FileReport> reports;
  for (const std::string& path : options.paths) {
    for (FileReport& report : audit_path(path, policy)) reports.push_back(std::move(report));
  }

  bool unreadable = false, violations = false;
  for (const FileReport& report : reports) {
    unreadable |= !report.error.empty();
    violations |= !report.violations.empty();
    // JSON goes to stdout for a program; the reason a file was unreadable
    // must still reach the person reading the log.
    if (!report.error.empty() && options.format == "json") std::cerr << "abi-audit: " << report.error << "\n";
  }
  if (options.format == "json") {
    write_json(std::cout, reports, policy);
  } else {
    write_text(std::cout, reports, policy);
  }
  std::cout.flush();
  if (!options.json_out.empty()) {
    std::ofstream json_file(options.json_out, std::ios::binary | std::ios::trunc);
    write_json(json_file, reports, policy);
    json_file.close();
    if (!json_file) {
      std::cerr << "abi-audit: cannot write the JSON report to " << options.json_out << "\n";
      return kExitUnreadable;
    }
  }
  if (!std::cout) {
    std::cerr << "abi-audit: cannot write the report to standard output\n";
    return kExitUnreadable;
  }
  return unreadable ? kExitUnreadable : violations ? kExitViolations : kExitPass;
}
