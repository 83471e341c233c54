#include "cuda_archs.h"

#include <algorithm>
#include <regex>

namespace abi_audit {
namespace {

// Compute capabilities users hold, each with cards that have it (shipped
// ones; 10.0 and 12.0 are the datacenter and the desktop Blackwells).
struct Gpu {
  unsigned arch;
  const char* name;
};
constexpr Gpu kGpus[] = {
    {60, "P100"},       {61, "GTX 10, P40"}, {70, "V100"},  {75, "T4, RTX 20"},
    {80, "A100"},       {86, "RTX 30, A10"}, {87, "Orin"},  {89, "RTX 40, L4"},
    {90, "H100, H200"}, {100, "B200"},       {103, "B300"}, {120, "RTX 50"},
};

std::string capability(unsigned arch) { return std::to_string(arch / 10) + "." + std::to_string(arch % 10); }

// Whether code for `arch` with `variant` runs on a GPU of capability `gpu`:
// exact-only for 'a', same major and later minor for SASS and 'f', any later
// capability for plain PTX.
bool serves(unsigned arch, char variant, bool ptx, unsigned gpu) {
  if (variant == 'a') return gpu == arch;
  if (variant == 'f' || !ptx) return gpu / 10 == arch / 10 && gpu >= arch;
  return gpu >= arch;
}

bool has(const std::vector<DeviceCode>& entries, DeviceCode::Kind kind, unsigned arch, char variant) {
  return std::any_of(entries.begin(), entries.end(), [&](const DeviceCode& c) {
    return c.kind == kind && c.arch == arch && c.variant == variant;
  });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::vector<RequestedArch> parse_arch_list(const std::string& list) {
  static const std::regex item(R"((\d+)\.(\d)([af]?)(\+PTX)?)");
  std::vector<RequestedArch> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = list.find_first_of("; ", start);
    const std::string text = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? list.size() + 1 : end + 1;
    if (text.empty()) continue;
    std::smatch m;
    if (!std::regex_match(text, m, item))
      throw ArchListError("architecture '" + text + "' in '" + list +
                          "': expected X.Y, X.Ya, X.Yf or X.Y+PTX (TORCH_CUDA_ARCH_LIST syntax, numbers only)");
    RequestedArch arch;
    arch.arch = std::stoul(m[1]) * 10 + std::stoul(m[2]);
    arch.variant = m[3].length() ? m[3].str()[0] : '\0';
    arch.ptx = m[4].matched;
    arch.text = text;
    out.push_back(arch);
  }
  if (out.empty()) throw ArchListError("empty architecture list: expected e.g. 8.0;8.6;9.0+PTX");
  return out;
}

std::vector<std::string> missing_device_code(const std::vector<DeviceCode>& entries,
                                             const std::vector<RequestedArch>& requested) {
  std::vector<std::string> missing;
  const bool any = std::any_of(entries.begin(), entries.end(),
                               [](const DeviceCode& c) { return c.kind != DeviceCode::Kind::kOther; });
  if (!any) return missing;
  for (const RequestedArch& r : requested) {
    DeviceCode wanted;
    wanted.arch = r.arch;
    wanted.variant = r.variant;
    wanted.kind = DeviceCode::Kind::kSass;
    if (!has(entries, DeviceCode::Kind::kSass, r.arch, r.variant)) missing.push_back(wanted.name() + " (" + r.text + ")");
    wanted.kind = DeviceCode::Kind::kPtx;
    if (r.ptx && !has(entries, DeviceCode::Kind::kPtx, r.arch, r.variant))
      missing.push_back(wanted.name() + " (" + r.text + ")");
  }
  return missing;
}

GpuVerdict gpu_verdict(const std::vector<DeviceCode>& entries) {
  GpuVerdict verdict;
  const bool any = std::any_of(entries.begin(), entries.end(),
                               [](const DeviceCode& c) { return c.kind != DeviceCode::Kind::kOther; });
  if (!any) return verdict;
  for (const Gpu& gpu : kGpus) {
    const auto runs = [&](DeviceCode::Kind kind) {
      return std::any_of(entries.begin(), entries.end(), [&](const DeviceCode& c) {
        return c.kind == kind && serves(c.arch, c.variant, kind == DeviceCode::Kind::kPtx, gpu.arch);
      });
    };
    const std::string label = capability(gpu.arch) + " (" + gpu.name + ")";
    if (runs(DeviceCode::Kind::kSass)) {
      verdict.native.push_back(label);
    } else if (runs(DeviceCode::Kind::kPtx)) {
      verdict.jit.push_back(label);
    } else {
      verdict.none.push_back(label);
    }
  }
  return verdict;
}

std::string GpuVerdict::line() const {
  if (native.empty() && jit.empty() && none.empty()) return "no device code: runs no kernel, loads on any GPU";
  std::string out;
  const auto part = [&](const char* what, const std::vector<std::string>& gpus) {
    if (gpus.empty()) return;
    out += (out.empty() ? "" : "; ") + std::string(what) + join(gpus);
  };
  part("runs natively on ", native);
  part("only through the PTX JIT (slow first start) on ", jit);
  part("no kernel image on ", none);
  return out;
}

}  // namespace abi_audit
