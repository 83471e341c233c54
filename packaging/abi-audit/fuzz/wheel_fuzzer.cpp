// libFuzzer target: the wheel reader (zip-slip refusal, RECORD, member
// reads) and the audit of every shared-object member, from memory.
// Unreadable input becomes an error report, never an exception.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  abi_audit_fuzz::write_reports(abi_audit::audit_wheel_memory(data, size, "fuzz.whl", abi_audit_fuzz::policy()));
  return 0;
}
