#include "cxx_runtime.h"

#include <algorithm>

#include "checks.h"

namespace abi_audit {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// __cxa_ names glibc defines; a C module imports __cxa_finalize too.
bool is_glibc_cxa(const std::string& name) {
  for (const char* glibc : {"__cxa_atexit", "__cxa_finalize", "__cxa_thread_atexit_impl", "__cxa_at_quick_exit"})
    if (name == glibc) return true;
  return false;
}

bool is_cxx_abi_entry(const std::string& name) {
  return name == "__gxx_personality_v0" || (starts_with(name, "__cxa_") && !is_glibc_cxa(name));
}

// The demangled name without the special-name prefix ("typeinfo for ",
// "vtable for "...), so "typeinfo for std::bad_alloc" reads as std::.
std::string entity_of(const std::string& demangled) {
  for (const char* special : {"typeinfo name for ", "typeinfo for ", "vtable for ", "VTT for ",
                              "construction vtable for ", "guard variable for ", "transaction clone for "})
    if (starts_with(demangled, special)) return demangled.substr(std::string(special).size());
  return demangled;
}

}  // namespace

bool is_cxx_runtime_definition(const std::string& name) {
  if (is_cxx_abi_entry(name)) return true;
  if (!starts_with(name, "_Z")) return false;
  const std::string entity = entity_of(demangle(name));
  if (starts_with(entity, "__cxxabiv1::") || starts_with(entity, "__gnu_cxx::") ||
      starts_with(entity, "operator new") || starts_with(entity, "operator delete"))
    return true;
  return starts_with(entity, "std::") && entity.find('<') == std::string::npos;
}

bool is_cxx_import(const std::string& name) { return starts_with(name, "_Z") || is_cxx_abi_entry(name); }

const std::vector<std::string>& cxx_runtime_type_names() {
  static const std::vector<std::string> names = {
      "St9exception", "St9bad_alloc", "St9type_info", "St20bad_array_new_length",
      "N10__cxxabiv117__class_type_infoE", "N10__cxxabiv120__si_class_type_infoE",
      "N10__cxxabiv121__vmi_class_type_infoE"};
  return names;
}

}  // namespace abi_audit
