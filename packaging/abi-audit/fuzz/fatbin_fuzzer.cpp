// libFuzzer target: the CUDA fat-binary reader on arbitrary bytes, then what
// the audit derives from its entries (the GPU verdict, the requested
// targets lacking). The elf target reaches the same reader through
// read_elf_memory; this one starts from container bytes, so the fuzzer
// spends its time inside the headers.
#include <cstddef>
#include <cstdint>

#include "cuda_archs.h"
#include "fatbin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto requested = abi_audit::parse_arch_list("7.5;8.0;8.6;9.0a;10.0f+PTX");
  const auto codes = abi_audit::read_fat_binaries(data, size);
  for (const auto& code : codes) (void)code.name();
  (void)abi_audit::gpu_verdict(codes).line();
  (void)abi_audit::missing_device_code(codes, requested);
  return 0;
}
