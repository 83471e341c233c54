// abi-audit: checks shared objects, directories of them and wheels against
// an ABI policy (symbol-version ceilings, PyInit_, RUNPATH, DT_NEEDED) and,
// given them, a CUDA architecture list and torch's library directories
// (device code, undefined symbols), or, with --platform-tag, says which
// manylinux tag each of them earns.
// Exit codes: 0 all pass (or all judged), 1 violations, 2 unreadable input
// or bad usage.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "inputs.h"
#include "manylinux.h"
#include "policy.h"
#include "report.h"
#include "tag_report.h"

namespace {

constexpr int kExitPass = 0;
constexpr int kExitViolations = 1;
constexpr int kExitUnreadable = 2;

constexpr const char* kUsage =
    "usage: abi-audit [--policy NAME|FILE] [--cuda-archs LIST] [--libs DIR[:DIR...]] [--report-only]\n"
    "                 [--format text|json] [--json-out FILE] PATH...\n"
    "       abi-audit --platform-tag --manylinux-policy FILE [--provided NAME|FILE] [--format text|json]\n"
    "                 [--json-out FILE] PATH...\n"
    "  PATH     a shared object, a directory (searched for *.so, *.so.N) or a .whl\n"
    "  --policy a policy name shipped in policies/ (default rocky9) or a policy file\n"
    "  --cuda-archs  the architectures each module with device code must carry, TORCH_CUDA_ARCH_LIST\n"
    "           syntax (8.0;8.6;9.0+PTX: SASS sm_80, sm_86, sm_90 and PTX compute_90); the report says\n"
    "           which GPUs run each module natively, through the PTX JIT, or not at all, given or not\n"
    "  --libs   directories of the libraries the modules load (torch/lib, the CUDA runtime's): every\n"
    "           undefined symbol must be defined by the libraries found there or in the system's\n"
    "           (each module's DT_NEEDED and theirs), or by the interpreter (Py*)\n"
    "  --report-only  report every check, exit 0 unless an input is unreadable (judging a wheel\n"
    "           whose modules are replaced anyway)\n"
    "  --format text (default) or json, on standard output\n"
    "  --json-out also write the JSON report to FILE (one run gives the build log its text\n"
    "           and the build its machine-readable stamp)\n"
    "  --platform-tag  say which manylinux_<x>_<y>_x86_64 tag (else linux_x86_64) each PATH and\n"
    "           each shared object in it earns, by auditwheel's rules, and what keeps it off the\n"
    "           next more compatible one\n"
    "  --manylinux-policy  auditwheel's manylinux-policy.json (pip install auditwheel)\n"
    "  --provided  a policy whose allow-needed globs a wheel's requirements provide (default\n"
    "           torch-provided); the shared objects given are provided to each other too\n"
    "exit: 0 all pass (--platform-tag: all judged), 1 violations, 2 unreadable input or bad usage\n";

struct Options {
  std::string policy = "rocky9";
  bool policy_given = false;
  bool platform_tag = false;
  std::string manylinux_policy;
  std::string provided = "torch-provided";
  std::string format = "text";
  std::string json_out;
  std::string cuda_archs;
  std::string libs;
  bool report_only = false;
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
  const std::vector<std::pair<std::string, std::string*>> valued = {
      {"--policy", &options.policy},
      {"--format", &options.format},
      {"--json-out", &options.json_out},
      {"--manylinux-policy", &options.manylinux_policy},
      {"--provided", &options.provided},
      {"--cuda-archs", &options.cuda_archs},
      {"--libs", &options.libs}};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitPass;
    }
    if (arg == "--platform-tag") {
      options.platform_tag = true;
      continue;
    }
    if (arg == "--report-only") {
      options.report_only = true;
      continue;
    }
    if (arg == "--") {
      options.paths.insert(options.paths.end(), argv + i + 1, argv + argc);
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      options.paths.push_back(arg);
      continue;
    }
    // --name VALUE or --name=VALUE
    const std::string name = arg.substr(0, arg.find('='));
    const auto option = std::find_if(valued.begin(), valued.end(), [&](const auto& o) { return o.first == name; });
    if (option == valued.end()) return usage_error("unknown option " + arg);
    if (name != arg) {
      *option->second = arg.substr(name.size() + 1);
    } else if (i + 1 < argc) {
      *option->second = argv[++i];
    } else {
      return usage_error(arg + " needs a value");
    }
    options.policy_given |= name == "--policy";
  }
  if (options.format != "text" && options.format != "json")
    return usage_error("--format must be text or json, found '" + options.format + "'");
  if (options.paths.empty()) return usage_error("no PATH given");
  if (options.platform_tag && options.manylinux_policy.empty())
    return usage_error(
        "--platform-tag needs --manylinux-policy FILE, auditwheel's manylinux-policy.json; after pip install "
        "auditwheel: python3 -c 'import auditwheel.policy as p, os; print(os.path.join(os.path.dirname(p.__file__), "
        "\"manylinux-policy.json\"))'");
  if (options.platform_tag && options.policy_given)
    return usage_error("--policy does not go with --platform-tag (the tag is judged by auditwheel's policies); "
                       "run abi-audit once with each");
  if (options.platform_tag && (!options.cuda_archs.empty() || !options.libs.empty() || options.report_only))
    return usage_error("--cuda-archs, --libs and --report-only go with an audit, not with --platform-tag; "
                       "run abi-audit once with each");
  if (!options.platform_tag && !options.manylinux_policy.empty())
    return usage_error("--manylinux-policy is read only with --platform-tag");
  return -1;
}

std::vector<std::string> split_dirs(const std::string& list) {
  std::vector<std::string> dirs;
  for (size_t start = 0; start < list.size();) {
    const size_t colon = list.find(':', start);
    const std::string dir = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) dirs.push_back(dir);
    start = colon == std::string::npos ? list.size() : colon + 1;
  }
  return dirs;
}

// Writes the report (text or JSON) to stdout and, with --json-out, JSON to
// that file; returns false (said on stderr) when either cannot be written.
template <typename WriteText, typename WriteJson>
bool emit(const Options& options, WriteText write_text, WriteJson write_json) {
  if (options.format == "json") {
    write_json(std::cout);
  } else {
    write_text(std::cout);
  }
  std::cout.flush();
  if (!options.json_out.empty()) {
    std::ofstream json_file(options.json_out, std::ios::binary | std::ios::trunc);
    write_json(json_file);
    json_file.close();
    if (!json_file) {
      std::cerr << "abi-audit: cannot write the JSON report to " << options.json_out << "\n";
      return false;
    }
  }
  if (!std::cout) {
    std::cerr << "abi-audit: cannot write the report to standard output\n";
    return false;
  }
  return true;
}

// JSON goes to stdout for a program; the reason a file was unreadable must
// still reach the person reading the log.
void say_unreadable(const Options& options, const std::string& error) {
  if (!error.empty() && options.format == "json") std::cerr << "abi-audit: " << error << "\n";
}

int audit(const Options& options) {
  using namespace abi_audit;
  Policy policy;
  try {
    policy = load_policy(options.policy, policy_search_dirs(executable_dir()));
  } catch (const PolicyError& e) {
    std::cerr << "abi-audit: " << e.what() << "\n";
    return kExitUnreadable;
  }
  LoadChecks load;
  if (!options.cuda_archs.empty()) {
    try {
      load.requested = parse_arch_list(options.cuda_archs);
    } catch (const ArchListError& e) {
      return usage_error(std::string("--cuda-archs: ") + e.what());
    }
    load.cuda_archs = options.cuda_archs;
  }
  SymbolProviders providers(split_dirs(options.libs), default_system_dirs());
  if (!options.libs.empty()) load.providers = &providers;
  std::vector<FileReport> reports;
  for (const std::string& path : options.paths) {
    for (FileReport& report : audit_path(path, policy, load)) reports.push_back(std::move(report));
  }
  bool unreadable = false, violations = false;
  for (const FileReport& report : reports) {
    unreadable |= !report.error.empty();
    violations |= !report.violations.empty();
    say_unreadable(options, report.error);
  }
  if (!emit(options, [&](std::ostream& out) { write_text(out, reports, policy); },
            [&](std::ostream& out) { write_json(out, reports, policy); }))
    return kExitUnreadable;
  return unreadable ? kExitUnreadable : violations && !options.report_only ? kExitViolations : kExitPass;
}

// --platform-tag: every PATH is read first, so each shared object given
// counts as provided to all the others (the set's own modules).
int platform_tag(const Options& options) {
  using namespace abi_audit;
  ManylinuxPolicies manylinux;
  Policy provided;
  try {
    manylinux = load_manylinux_policies(options.manylinux_policy);
    provided = load_policy(options.provided, policy_search_dirs(executable_dir()));
  } catch (const PolicyError& e) {
    std::cerr << "abi-audit: " << e.what() << "\n";
    return kExitUnreadable;
  }
  std::vector<std::pair<std::string, std::vector<ReadFile>>> inputs;
  for (const std::string& path : options.paths) {
    inputs.emplace_back(path, read_path(path));
    for (const ReadFile& file : inputs.back().second) say_unreadable(options, file.error);
  }
  const TagJudgement judgement = judge_tags(inputs, manylinux, provided);
  if (!emit(options, [&](std::ostream& out) { write_tags_text(out, judgement); },
            [&](std::ostream& out) { write_tags_json(out, judgement); }))
    return kExitUnreadable;
  return judgement.all_readable() ? kExitPass : kExitUnreadable;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const int code = parse(argc, argv, options); code >= 0) return code;
  return options.platform_tag ? platform_tag(options) : audit(options);
}
