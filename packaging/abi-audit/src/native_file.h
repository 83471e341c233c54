// The one place that decides, from a file name alone, whether a file is a
// native shared object and, if so, whether Python imports it as a module.
// Directory walks, wheel reading and the python-init check all ask here.
#pragma once

#include <optional>
#include <string>

namespace abi_audit {

struct NativeFile {
  // The import name Python derives the PyInit_ symbol from; "" for a
  // library (libfoo.so, libfoo.so.1) that nothing imports.
  std::string module;
  bool is_module() const { return !module.empty(); }
};

// libfoo.so, libfoo.so.1.2 -> a library; _C.cpython-312-x86_64-linux-gnu.so,
// _C.abi3.so, _C.so -> module "_C"; foo.py, libfoo.so.1a -> nullopt.
std::optional<NativeFile> classify_native_file(const std::string& file_name);

}  // namespace abi_audit
