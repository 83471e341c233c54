// Whether a module's undefined dynamic symbols are defined where it will
// load: in torch's libraries (torch/lib of the torch it is meant for), the
// CUDA runtime it links, the interpreter, or the system's C/C++ runtime
// (this machine's, standing in for the target's: a symbol versioned against
// it is the symbol-version check's to judge; an unversioned one, which a
// module gets when the linker found it in a torch library, must be there).
// A module built against one torch and loaded by another fails at import
// with "undefined symbol: _ZN3c10...": this finds that before it ships.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "elf_facts.h"

namespace abi_audit {

// The libraries a module may take symbols from, read once and kept.
class SymbolProviders {
 public:
  // lib_dirs: torch/lib and the CUDA runtime's directory; system_dirs: the
  // loader's default directories, searched after them.
  SymbolProviders(std::vector<std::string> lib_dirs, std::vector<std::string> system_dirs);

  // The DT_NEEDED name found in the directories, as a path; "" when it is
  // in none of them. `system` says whether it was found in a system directory.
  std::string find(const std::string& needed, bool* system = nullptr) const;

  // Every symbol the named libraries and their DT_NEEDED found here define.
  // Throws InputError when a library cannot be read.
  std::set<std::string> closure_exports(const std::vector<std::string>& needed);

  const std::vector<std::string>& lib_dirs() const { return lib_dirs_; }

 private:
  const LibraryExports& exports_of(const std::string& path);
  std::vector<std::string> lib_dirs_;
  std::vector<std::string> system_dirs_;
  std::map<std::string, LibraryExports> read_;
};

// The loader's default directories on this machine (those that exist).
std::vector<std::string> default_system_dirs();

struct UnresolvedSymbols {
  std::vector<std::string> symbols;  // demangled, sorted, unique
  std::vector<std::string> searched;  // the libraries looked in (file names)
};

// The module's undefined, non-weak symbols that no library it loads (its
// DT_NEEDED found in `providers`, and theirs) defines. Skipped: Py* and _Py*
// (the interpreter's), and symbols versioned against a system library (the
// symbol-version check judges those).
UnresolvedSymbols unresolved_symbols(const ElfFacts& facts, SymbolProviders& providers);

}  // namespace abi_audit
