// What abi-audit needs to know about one shared object, read through libelf.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "fatbin.h"

namespace abi_audit {

// An input that cannot be audited at all (not an ELF, truncated, unreadable
// zip member...). The CLI turns it into exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One version the dynamic loader must find, from .gnu.version_r (verneed).
struct VersionNeed {
  std::string file;     // the library that must provide it, e.g. libstdc++.so.6
  std::string version;  // e.g. GLIBCXX_3.4.29
};

// One undefined dynamic symbol: where the loader must find it.
struct UndefinedSymbol {
  std::string name;     // raw, mangled
  std::string library;  // the verneed file of its version (libc.so.6), "" when unversioned
  bool weak = false;    // may stay unresolved
};

struct ElfFacts {
  std::vector<std::string> needed;   // DT_NEEDED, in file order
  std::vector<std::string> rpath;    // DT_RPATH entries, split at ':'
  std::vector<std::string> runpath;  // DT_RUNPATH entries, split at ':'
  std::vector<VersionNeed> version_needs;
  // Undefined dynamic symbols (raw, mangled) per required version name.
  std::map<std::string, std::vector<std::string>> symbols_by_version;
  std::vector<UndefinedSymbol> undefined;  // every undefined dynamic symbol
  std::vector<DeviceCode> device_code;     // the CUDA fat binaries' entries (fatbin.h)
  // Defined, global, default-visibility dynamic symbols named PyInit_*.
  std::vector<std::string> python_inits;
  // Evidence of C++ (cxx_runtime.h), each list unique and cut at
  // kMaxCxxEvidence names: libstdc++ internals defined in .dynsym or
  // .symtab, C++ symbols imported through .dynsym, and the C++ runtime's
  // own type names found in .rodata. Gathered only when libstdc++.so.6 is
  // not in DT_NEEDED, the one case the cxx-runtime check looks at.
  std::vector<std::string> cxx_runtime_defined;
  std::vector<std::string> cxx_imported;
  std::vector<std::string> cxx_runtime_type_names;
};

constexpr size_t kMaxCxxEvidence = 16;

// Reads a file on disk (mmap through libelf). Throws InputError.
ElfFacts read_elf_file(const std::string& path);

// Reads an image held in memory (a wheel member). Throws InputError.
ElfFacts read_elf_memory(std::vector<char>& image, const std::string& label);

// What a library offers the loader: its DT_NEEDED and the names of its
// defined, global or weak, default or protected dynamic symbols. Throws InputError.
struct LibraryExports {
  std::vector<std::string> needed;
  std::vector<std::string> symbols;
};
LibraryExports read_library_exports(const std::string& path);

}  // namespace abi_audit
