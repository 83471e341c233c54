// libFuzzer target: the policy-file parser on arbitrary text. Includes
// resolve against the shipped policies/, so `include = rocky9` is reached.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    abi_audit::parse_policy_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.policy",
                                 {ABI_AUDIT_FUZZ_POLICY_DIR});
  } catch (const abi_audit::PolicyError&) {
  }
  return 0;
}
