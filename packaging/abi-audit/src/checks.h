// The checks of one shared object against a policy.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cuda_archs.h"
#include "elf_facts.h"
#include "policy.h"
#include "symbols.h"

namespace abi_audit {

struct Violation {
  std::string check;  // symbol-version | python-init | runpath | needed | cxx-runtime | device-code | torch-symbols
  std::string detail;
  std::vector<std::string> symbols;  // demangled where possible
};

struct FileReport {
  std::string path;   // file path, or WHEEL!member for wheel members
  std::string error;  // non-empty: the file could not be audited
  std::map<std::string, std::string> highest;  // family -> highest version required
  std::vector<Violation> violations;
  std::vector<DeviceCode> device_code;  // every fat-binary entry (reported whether checked or not)
  GpuVerdict gpus;                      // how each GPU generation runs it
  std::string requested_archs;          // the list checked against, "" when none was given
  bool symbols_checked = false;         // torch-symbols ran (LoadChecks::providers given)
  std::vector<std::string> symbols_searched;  // the libraries its undefined symbols were looked for in
  bool passed() const { return error.empty() && violations.empty(); }
};

// Where a module must load beyond the OS policy: on the GPUs of the
// requested list, and with the torch whose libraries are given. Each check
// runs only when its input is given.
struct LoadChecks {
  std::string cuda_archs;                // TORCH_CUDA_ARCH_LIST syntax; "" = not checked
  std::vector<RequestedArch> requested;  // cuda_archs, parsed (parse_arch_list)
  SymbolProviders* providers = nullptr;  // torch/lib and the CUDA runtime's directory
};

// file_name is the base name that decides the expected PyInit_ symbol.
FileReport audit_facts(const std::string& path, const std::string& file_name, const ElfFacts& facts,
                       const Policy& policy, const LoadChecks& load = {});

// abi::__cxa_demangle, or the name itself when it is not a C++ name.
std::string demangle(const std::string& name);

}  // namespace abi_audit
