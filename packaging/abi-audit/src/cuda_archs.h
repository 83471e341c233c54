// Which GPUs a module's device code serves: the requested architecture list
// (TORCH_CUDA_ARCH_LIST syntax) checked against the fat-binary entries, and
// the verdict per GPU generation, by CUDA's binary-compatibility rules:
// - SASS sm_XY runs on compute capability X.Z for every Z >= Y (same major);
//   sm_XYa only on X.Y; sm_XYf on the family, X.Z for Z >= Y;
// - PTX compute_XY is JIT-compiled by the driver for X.Y and every later
//   capability; compute_XYa only for X.Y, compute_XYf for the family.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "fatbin.h"

namespace abi_audit {

struct ArchListError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One item of the list: "8.6", "9.0a", "10.0f", "9.0+PTX".
struct RequestedArch {
  unsigned arch = 0;    // 86 for 8.6
  char variant = '\0';  // 'a', 'f' or none
  bool ptx = false;     // +PTX: PTX for it too
  std::string text;     // as written
};

// "8.0;8.6;9.0+PTX" (';' or ' ' between items). Named architectures
// (Ampere, ...) are refused: the caller passes numbers.
std::vector<RequestedArch> parse_arch_list(const std::string& list);

// The requested SASS and PTX the entries lack, as "sm_86 (8.6)",
// "compute_90 (9.0+PTX)". A module without device code lacks nothing: it
// runs no kernel (cumesh._xatlas).
std::vector<std::string> missing_device_code(const std::vector<DeviceCode>& entries,
                                             const std::vector<RequestedArch>& requested);

// The GPU generations a user reads, and how each runs the entries.
struct GpuVerdict {
  std::vector<std::string> native;  // "9.0 (Hopper: H100, H200)"
  std::vector<std::string> jit;     // through the driver's PTX JIT: slow first start
  std::vector<std::string> none;    // "no kernel image is available"
  std::string line() const;         // one sentence of the three
};

// Empty entries: every list empty (no device code, nothing to run).
GpuVerdict gpu_verdict(const std::vector<DeviceCode>& entries);

}  // namespace abi_audit
