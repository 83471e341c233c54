#include "fatbin.h"

#include <cstring>

namespace abi_audit {
namespace {

constexpr uint32_t kMagic = 0xBA55ED50;
constexpr size_t kContainerHeader = 16;
constexpr size_t kEntryHeader = 64;
constexpr uint64_t kFlagLz4 = 0x2000;
constexpr uint64_t kFlagZstd = 0x8000;
constexpr uint64_t kFlagArchSpecific = 0x100000;
constexpr uint64_t kFlagFamilySpecific = 0x200000;

template <typename T>
T load(const unsigned char* p) {
  T value;  // the files are little-endian, as is every host abi-audit builds on
  std::memcpy(&value, p, sizeof value);
  return value;
}

// The entries of the container at `at`, or false when it is not one.
bool read_container(const unsigned char* data, size_t size, size_t at, size_t& end,
                    std::vector<DeviceCode>& out) {
  if (size - at < kContainerHeader || load<uint32_t>(data + at) != kMagic || load<uint16_t>(data + at + 4) != 1)
    return false;
  const uint16_t header = load<uint16_t>(data + at + 6);
  const uint64_t body = load<uint64_t>(data + at + 8);
  if (header < kContainerHeader || header > size - at || body > size - at - header) return false;
  const size_t first = at + header;
  end = first + body;
  std::vector<DeviceCode> entries;
  for (size_t e = first; e < end;) {
    if (end - e < kEntryHeader) return false;
    const uint32_t entry_header = load<uint32_t>(data + e + 4);
    const uint64_t payload = load<uint64_t>(data + e + 8);
    if (entry_header < kEntryHeader || entry_header > end - e || payload > end - e - entry_header) return false;
    DeviceCode code;
    code.kind_code = load<uint16_t>(data + e);
    code.kind = code.kind_code == 2 ? DeviceCode::Kind::kSass
                : code.kind_code == 1 ? DeviceCode::Kind::kPtx
                                      : DeviceCode::Kind::kOther;
    code.arch = load<uint32_t>(data + e + 28);
    const uint64_t flags = load<uint64_t>(data + e + 40);
    code.variant = flags & kFlagArchSpecific ? 'a' : flags & kFlagFamilySpecific ? 'f' : '\0';
    code.compression = flags & kFlagZstd ? "zstd" : flags & kFlagLz4 ? "lz4" : "";
    code.offset = e;
    entries.push_back(code);
    e += entry_header + payload;
  }
  out.insert(out.end(), entries.begin(), entries.end());
  return true;
}

}  // namespace

std::string DeviceCode::name() const {
  const std::string suffix = std::to_string(arch) + (variant ? std::string(1, variant) : "");
  switch (kind) {
    case Kind::kSass: return "sm_" + suffix;
    case Kind::kPtx: return "compute_" + suffix;
    default: return "kind " + std::to_string(kind_code) + " arch " + suffix;
  }
}

std::vector<DeviceCode> read_fat_binaries(const unsigned char* data, size_t size) {
  std::vector<DeviceCode> found;
  // Containers start 8-byte aligned in .nv_fatbin; elsewhere (a relocatable
  // object's fat binary in .rodata, say) they may not, so every offset is tried.
  static const unsigned char magic[4] = {0x50, 0xED, 0x55, 0xBA};
  size_t at = 0;
  while (size >= 4 && at <= size - 4) {
    const void* hit = memmem(data + at, size - at, magic, sizeof magic);
    if (!hit) break;
    at = static_cast<const unsigned char*>(hit) - data;
    size_t end = 0;
    at = read_container(data, size, at, end, found) ? end : at + 1;
  }
  return found;
}

}  // namespace abi_audit
