#include "checks.h"

#include <cxxabi.h>
#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

#include "cxx_runtime.h"
#include "native_file.h"

namespace abi_audit {

std::string demangle(const std::string& name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status),
                                                  &std::free);
  return status == 0 && out ? std::string(out.get()) : name;
}

namespace {

std::vector<std::string> demangle_all(const std::vector<std::string>& raw) {
  std::set<std::string> unique;
  for (const std::string& name : raw) unique.insert(demangle(name));
  return {unique.begin(), unique.end()};
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// Highest version per family, and one violation per required version above
// the policy's ceiling (listing the undefined symbols bound to it).
void check_symbol_versions(const ElfFacts& facts, const Policy& policy, FileReport& report) {
  std::map<std::string, std::vector<unsigned long>> highest;
  std::map<std::string, std::set<std::string>> over;  // version name -> files that provide it
  for (const VersionNeed& need : facts.version_needs) {
    const auto split = split_version_name(need.version);
    if (!split) continue;
    const auto& [family, text] = *split;
    const std::vector<unsigned long> version = *parse_version(text);
    auto known = highest.find(family);
    if (known == highest.end() || compare_versions(version, known->second) > 0) {
      highest[family] = version;
      report.highest[family] = text;
    }
    const auto ceiling = policy.max.find(family);
    if (ceiling != policy.max.end() && compare_versions(version, *parse_version(ceiling->second)) > 0)
      over[need.version].insert(need.file);
  }
  for (const auto& [version, files] : over) {
    const auto split = split_version_name(version);
    const auto symbols = facts.symbols_by_version.find(version);
    report.violations.push_back(
        {"symbol-version",
         "requires " + version + " (from " + join({files.begin(), files.end()}, ", ") + "); policy " + policy.name +
             " allows up to " + split->first + "_" + policy.max.at(split->first),
         symbols == facts.symbols_by_version.end() ? std::vector<std::string>{} : demangle_all(symbols->second)});
  }
}

void check_python_init(const std::string& file_name, const ElfFacts& facts, FileReport& report) {
  const auto native = classify_native_file(file_name);
  if (!native || !native->is_module()) return;
  const std::string& module = native->module;
  const std::string expected = "PyInit_" + module;
  const auto& found = facts.python_inits;
  if (std::find(found.begin(), found.end(), expected) != found.end()) return;
  report.violations.push_back(
      {"python-init",
       "module file " + file_name + " must export " + expected + " (Python derives it from the file name); " +
           (found.empty() ? "it exports no PyInit_ symbol" : "it exports " + join(found, ", ")) +
           ". Build it with -DTORCH_EXTENSION_NAME=" + module + " or rename the file to match.",
       found});
}

bool under_origin(const std::string& entry) {
  for (const std::string prefix : {"$ORIGIN", "${ORIGIN}"}) {
    if (entry.compare(0, prefix.size(), prefix) == 0 && (entry.size() == prefix.size() || entry[prefix.size()] == '/'))
      return true;
  }
  return false;
}

void check_search_paths(const char* tag, const std::vector<std::string>& entries, FileReport& report) {
  for (const std::string& entry : entries) {
    if (under_origin(entry)) continue;
    report.violations.push_back(
        {"runpath",
         std::string(tag) + " entry '" + entry + "' is not under $ORIGIN" +
             (entry.empty() ? " (an empty entry means the current directory)" : "") +
             "; it names a directory of the build machine. Link without it or use $ORIGIN-relative paths.",
         {}});
  }
}

void check_needed(const ElfFacts& facts, const Policy& policy, FileReport& report) {
  for (const std::string& needed : facts.needed) {
    const bool allowed = std::any_of(policy.allow_needed.begin(), policy.allow_needed.end(),
                                     [&](const std::string& glob) { return fnmatch(glob.c_str(), needed.c_str(), 0) == 0; });
    if (allowed) continue;
    report.violations.push_back({"needed",
                                 "DT_NEEDED " + needed + " is outside policy " + policy.name +
                                     "'s allow-needed list; the target machine may not have it. Link it "
                                     "statically, drop it, or add an allow-needed line to the policy.",
                                 {}});
  }
}

// A torch extension must share torch's libstdc++.so.6: a private copy has
// its own locale and iostream state (o-voxel's example segfaulted at its
// first std::cout of a double). C++ evidence without that DT_NEEDED means
// the runtime was linked in statically or is missing.
void check_cxx_runtime(const ElfFacts& facts, FileReport& report) {
  constexpr size_t kNamedPerKind = 4;  // a few names per kind of evidence; the counts say how many
  if (std::find(facts.needed.begin(), facts.needed.end(), "libstdc++.so.6") != facts.needed.end()) return;
  std::vector<std::string> found;
  std::vector<std::string> symbols;
  const auto add = [&](const std::vector<std::string>& names, const std::string& where) {
    if (names.empty()) return;
    found.push_back(where + " (" + std::to_string(names.size()) + (names.size() == kMaxCxxEvidence ? "+" : "") + ")");
    for (size_t i = 0; i < names.size() && i < kNamedPerKind; ++i) symbols.push_back(demangle(names[i]));
  };
  add(facts.cxx_runtime_defined, "defines libstdc++ internals in .dynsym/.symtab");
  add(facts.cxx_imported, "imports C++ symbols");
  add(facts.cxx_runtime_type_names, "holds the C++ runtime's own type names in .rodata");
  if (found.empty()) return;
  report.violations.push_back(
      {"cxx-runtime",
       "uses C++ but libstdc++.so.6 is not in DT_NEEDED: it " + join(found, "; ") +
           ". The C++ runtime was linked in statically (-static-libstdc++, perhaps added by a compiler wrapper); a "
           "torch extension must share torch's libstdc++.so.6 or it crashes at run time. Link with g++ without "
           "-static-libstdc++ and check with `readelf -d` that libstdc++.so.6 is NEEDED.",
       symbols});
}

// The requested architectures a module with device code lacks: on such a
// GPU it fails with "no kernel image is available for execution on the device".
void check_device_code(const ElfFacts& facts, const LoadChecks& load, FileReport& report) {
  report.device_code = facts.device_code;
  report.gpus = gpu_verdict(facts.device_code);
  report.requested_archs = load.cuda_archs;
  if (load.requested.empty()) return;
  const std::vector<std::string> missing = missing_device_code(facts.device_code, load.requested);
  if (missing.empty()) return;
  report.violations.push_back(
      {"device-code",
       "lacks device code for requested architectures " + join(missing, ", ") + " (requested " + load.cuda_archs +
           "): a GPU that needs it fails with \"no kernel image is available for execution on the device\". "
           "Build it with those architectures (TORCH_CUDA_ARCH_LIST, TRELLIS2_CUDA_ARCHITECTURES).",
       missing});
}

// Symbols the torch it is meant for does not define: "undefined symbol" at import.
void check_torch_symbols(const ElfFacts& facts, const LoadChecks& load, FileReport& report) {
  if (!load.providers) return;
  report.symbols_checked = true;
  UnresolvedSymbols found;
  try {
    found = unresolved_symbols(facts, *load.providers);
  } catch (const InputError& e) {
    report.error = std::string("a library it loads cannot be read: ") + e.what();
    return;
  }
  report.symbols_searched = found.searched;
  if (found.symbols.empty()) return;
  report.violations.push_back(
      {"torch-symbols",
       std::to_string(found.symbols.size()) + " undefined symbol(s) defined by none of the libraries it loads (" +
           (found.searched.empty() ? std::string("none") : join(found.searched, ", ")) + ", looked for in " +
           join(load.providers->lib_dirs(), ", ") + " and the system's directories): import fails with \"undefined "
           "symbol\". Built against another torch, or a source file missing from its build? Build it from all its "
           "sources against the torch whose libraries these are.",
       found.symbols});
}

}  // namespace

FileReport audit_facts(const std::string& path, const std::string& file_name, const ElfFacts& facts,
                       const Policy& policy, const LoadChecks& load) {
  FileReport report;
  report.path = path;
  check_symbol_versions(facts, policy, report);
  check_python_init(file_name, facts, report);
  check_search_paths("DT_RPATH", facts.rpath, report);
  check_search_paths("DT_RUNPATH", facts.runpath, report);
  check_needed(facts, policy, report);
  check_cxx_runtime(facts, report);
  check_device_code(facts, load, report);
  check_torch_symbols(facts, load, report);
  return report;
}

}  // namespace abi_audit
