// The checks of one shared object against a policy.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "elf_facts.h"
#include "policy.h"

namespace abi_audit {

struct Violation {
  std::string check;  // symbol-version | python-init | runpath | needed | cxx-runtime
  std::string detail;
  std::vector<std::string> symbols;  // demangled where possible
};

struct FileReport {
  std::string path;   // file path, or WHEEL!member for wheel members
  std::string error;  // non-empty: the file could not be audited
  std::map<std::string, std::string> highest;  // family -> highest version required
  std::vector<Violation> violations;
  bool passed() const { return error.empty() && violations.empty(); }
};

// file_name is the base name that decides the expected PyInit_ symbol.
FileReport audit_facts(const std::string& path, const std::string& file_name, const ElfFacts& facts,
                       const Policy& policy);

// abi::__cxa_demangle, or the name itself when it is not a C++ name.
std::string demangle(const std::string& name);

}  // namespace abi_audit
