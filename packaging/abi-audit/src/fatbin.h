// The CUDA device code a shared object carries: the entries of every CUDA
// fat binary in the file (the .nv_fatbin section, and any fat binary held
// elsewhere), read from their headers alone, so no CUDA toolkit is needed
// and a compressed entry is described without being decompressed.
//
// Layout (little-endian; nvcc 12 and 13, checked against cuobjdump):
//   container: u32 magic 0xBA55ED50, u16 version 1, u16 header size (16),
//              u64 size of the entries that follow
//   entry:     u16 kind (1 PTX, 2 ELF/SASS), u16 version, u32 header size,
//              u64 payload size (padded), u32 compressed size, u32 -,
//              u16 minor, u16 major (PTX ISA or cubin version), u32 arch
//              (90 for sm_90), u32 name offset, u32 name size, u64 flags,
//              u64 -, u64 uncompressed size; header size >= 64
//   flags:     0x2000 LZ4-compressed, 0x8000 zstd-compressed, 0x100000 an
//              architecture-specific target (sm_90a), 0x200000 a
//              family-specific one (sm_100f)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace abi_audit {

struct DeviceCode {
  enum class Kind { kSass, kPtx, kOther };
  Kind kind = Kind::kOther;
  unsigned kind_code = 0;   // the entry's kind as written (1 PTX, 2 ELF)
  unsigned arch = 0;        // 90 for sm_90 / compute_90
  char variant = '\0';      // 'a' (sm_90a), 'f' (sm_100f) or none
  std::string compression;  // "", "lz4" or "zstd"
  uint64_t offset = 0;      // of the entry header in the file

  // sm_90a for SASS, compute_90 for PTX, "kind 4 arch 90" for others.
  std::string name() const;
};

// Every entry of every well-formed fat binary in `data`, in file order. A
// byte sequence that starts like a container but whose entries do not fill
// it exactly is not a fat binary and is passed over.
std::vector<DeviceCode> read_fat_binaries(const unsigned char* data, size_t size);

}  // namespace abi_audit
