#include "symbols.h"

#include <filesystem>

#include "checks.h"

namespace abi_audit {
namespace fs = std::filesystem;

SymbolProviders::SymbolProviders(std::vector<std::string> lib_dirs, std::vector<std::string> system_dirs)
    : lib_dirs_(std::move(lib_dirs)), system_dirs_(std::move(system_dirs)) {}

std::string SymbolProviders::find(const std::string& needed, bool* system) const {
  for (const auto* dirs : {&lib_dirs_, &system_dirs_}) {
    for (const std::string& dir : *dirs) {
      std::error_code ec;
      const fs::path candidate = fs::path(dir) / needed;
      if (!fs::is_regular_file(candidate, ec)) continue;
      if (system) *system = dirs == &system_dirs_;
      return candidate.string();
    }
  }
  return "";
}

std::vector<std::string> default_system_dirs() {
  std::vector<std::string> dirs;
  for (const char* dir : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) dirs.push_back(dir);
  }
  return dirs;
}

const LibraryExports& SymbolProviders::exports_of(const std::string& path) {
  auto found = read_.find(path);
  if (found == read_.end()) found = read_.emplace(path, read_library_exports(path)).first;
  return found->second;
}

std::set<std::string> SymbolProviders::closure_exports(const std::vector<std::string>& needed) {
  std::set<std::string> symbols, seen;
  std::vector<std::string> queue = needed;
  while (!queue.empty()) {
    const std::string name = queue.back();
    queue.pop_back();
    const std::string path = find(name);
    if (path.empty() || !seen.insert(path).second) continue;
    const LibraryExports& lib = exports_of(path);
    symbols.insert(lib.symbols.begin(), lib.symbols.end());
    queue.insert(queue.end(), lib.needed.begin(), lib.needed.end());
  }
  return symbols;
}

UnresolvedSymbols unresolved_symbols(const ElfFacts& facts, SymbolProviders& providers) {
  UnresolvedSymbols result;
  for (const std::string& needed : facts.needed)
    if (!providers.find(needed).empty()) result.searched.push_back(needed);
  const auto system_library = [&](const std::string& name) {
    bool system = false;
    return !providers.find(name, &system).empty() && system;
  };
  const std::set<std::string> defined = providers.closure_exports(facts.needed);
  std::set<std::string> missing;
  for (const UndefinedSymbol& symbol : facts.undefined) {
    if (symbol.weak || symbol.name.rfind("Py", 0) == 0 || symbol.name.rfind("_Py", 0) == 0) continue;
    if (!symbol.library.empty() && (system_library(symbol.library) || providers.find(symbol.library).empty())) continue;
    if (!defined.count(symbol.name)) missing.insert(demangle(symbol.name));
  }
  result.symbols.assign(missing.begin(), missing.end());
  return result;
}

}  // namespace abi_audit
