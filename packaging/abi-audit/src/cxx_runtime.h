// What shows that an ELF file carries or uses the C++ runtime (libstdc++),
// for the cxx-runtime check: a torch extension must share torch's
// libstdc++.so.6, so C++ without that DT_NEEDED means a private copy.
#pragma once

#include <string>
#include <vector>

namespace abi_audit {

// A defined symbol that only the C++ runtime itself defines: __cxa_*
// (glibc's own __cxa_atexit/__cxa_finalize... excepted),
// __gxx_personality_v0, operator new/delete, anything in __cxxabiv1:: or
// __gnu_cxx::, and std:: names that are not template instantiations (a
// module may instantiate std::max<int> itself; std::ios_base::Init::Init()
// comes only from libstdc++).
bool is_cxx_runtime_definition(const std::string& name);

// An undefined symbol that needs a C++ runtime at run time: any mangled
// C++ name (_Z..., e.g. from libc10.so) or a C++ ABI entry point.
bool is_cxx_import(const std::string& name);

// Type names (as typeinfo stores them, "St9bad_alloc") of classes that
// libsupc++ itself defines. In a module's .rodata they mean the C++
// runtime's own typeinfo was linked in; a module that loads libstdc++.so.6
// refers to these instead of holding them. They survive strip and
// -Wl,--exclude-libs,ALL.
const std::vector<std::string>& cxx_runtime_type_names();

}  // namespace abi_audit
