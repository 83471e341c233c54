// libFuzzer target: the ELF reader (read_elf_memory), the checks, the
// platform-tag judgement and the reports on arbitrary bytes. Reading must
// succeed or throw InputError.
#include <cstddef>
#include <cstdint>

#include "elf_facts.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<char> image(data, data + size);
  try {
    const abi_audit::ElfFacts facts = abi_audit::read_elf_memory(image, "fuzz.so");
    abi_audit_fuzz::write_reports(
        {abi_audit::audit_facts("fuzz.so", "_fuzz.cpython-312-x86_64-linux-gnu.so", facts, abi_audit_fuzz::policy())});
    abi_audit_fuzz::write_tags("fuzz.so", "_fuzz.cpython-312-x86_64-linux-gnu.so", facts);
  } catch (const abi_audit::InputError&) {
  }
  return 0;
}
