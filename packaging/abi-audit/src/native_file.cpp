#include "native_file.h"

namespace abi_audit {
namespace {

// The module name of NAME.so, or "" when Python would not import it.
std::string module_of_so(const std::string& stem) {
  const size_t dot = stem.find('.');
  const std::string name = stem.substr(0, dot);
  if (dot != std::string::npos) {
    const std::string tag = stem.substr(dot);  // .cpython-312-x86_64-linux-gnu, .abi3
    return tag.rfind(".cpython-", 0) == 0 || tag == ".abi3" ? name : "";
  }
  // A plain NAME.so is a module too (Python accepts the bare suffix), but
  // libNAME.so is by convention a library that nothing imports.
  return name.rfind("lib", 0) == 0 ? "" : name;
}

}  // namespace

std::optional<NativeFile> classify_native_file(const std::string& file_name) {
  const size_t at = file_name.rfind(".so");
  if (at == std::string::npos || at == 0) return std::nullopt;
  const std::string tail = file_name.substr(at + 3);  // "" or ".1.2"
  if (tail.empty()) return NativeFile{module_of_so(file_name.substr(0, at))};
  // libfoo.so.1: a versioned soname, never a module (Python needs the .so suffix).
  if (tail[0] == '.' && tail.size() > 1 && tail.find_first_not_of(".0123456789") == std::string::npos)
    return NativeFile{""};
  return std::nullopt;
}

}  // namespace abi_audit
