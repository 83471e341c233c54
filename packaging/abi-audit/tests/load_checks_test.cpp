// Where a module loads beyond the OS: the fat-binary reader on bytes laid
// out here as nvcc lays them (the CI test tests/integration/test_device_code.py
// holds the reader against cuobjdump on real modules and wheels), the
// architecture rules, and undefined symbols against a stub libc10.so.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "checks.h"
#include "cuda_archs.h"
#include "fatbin.h"
#include "inputs.h"
#include "symbols.h"
#include "test_support.h"

using namespace abi_audit;

namespace {

constexpr uint64_t kZstd = 0x8000, kLz4 = 0x2000, kArchSpecific = 0x100000, kFamily = 0x200000;

template <typename T>
void put(std::vector<unsigned char>& out, T value) {
  unsigned char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  out.insert(out.end(), bytes, bytes + sizeof value);
}

struct Entry {
  uint16_t kind;  // 1 PTX, 2 ELF
  uint32_t arch;
  uint64_t flags = 0x11;
  uint32_t payload = 24;
};

// One container: its 16-byte header, then each entry's 64-byte header and payload.
std::vector<unsigned char> container(const std::vector<Entry>& entries) {
  std::vector<unsigned char> body;
  for (const Entry& e : entries) {
    put<uint16_t>(body, e.kind);
    put<uint16_t>(body, 0x101);
    put<uint32_t>(body, 64);
    put<uint64_t>(body, e.payload);
    put<uint32_t>(body, e.payload);  // compressed size
    put<uint32_t>(body, 0);
    put<uint16_t>(body, 8);   // minor
    put<uint16_t>(body, 1);   // major
    put<uint32_t>(body, e.arch);
    put<uint32_t>(body, 0);   // name offset
    put<uint32_t>(body, 0);   // name size
    put<uint64_t>(body, e.flags);
    put<uint64_t>(body, 0);
    put<uint64_t>(body, 0);   // uncompressed size
    body.insert(body.end(), e.payload, 0xAB);
  }
  std::vector<unsigned char> out;
  put<uint32_t>(out, 0xBA55ED50);
  put<uint16_t>(out, 1);
  put<uint16_t>(out, 16);
  put<uint64_t>(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<std::string> names(const std::vector<DeviceCode>& codes) {
  std::vector<std::string> out;
  for (const DeviceCode& c : codes) out.push_back(c.name());
  return out;
}

std::vector<DeviceCode> read(const std::vector<unsigned char>& bytes) {
  return read_fat_binaries(bytes.data(), bytes.size());
}

using Names = std::vector<std::string>;

}  // namespace

TEST(FatBinary, ReadsEveryEntryOfEveryContainerAnywhereInTheFile) {
  std::vector<unsigned char> file(13, 0x7f);  // unaligned: not only .nv_fatbin's 8-byte starts
  const auto first = container({{2, 80}, {2, 86}, {1, 90, 0x11 | kZstd}});
  const auto second = container({{2, 90, 0x11 | kArchSpecific}, {1, 100, 0x11 | kFamily | kLz4}});
  file.insert(file.end(), first.begin(), first.end());
  file.insert(file.end(), 5, 0);
  file.insert(file.end(), second.begin(), second.end());
  const auto codes = read(file);
  EXPECT_EQ(names(codes), (Names{"sm_80", "sm_86", "compute_90", "sm_90a", "compute_100f"}));
  EXPECT_EQ(codes[2].compression, "zstd");
  EXPECT_EQ(codes[4].compression, "lz4");
  EXPECT_EQ(codes[0].compression, "");
  EXPECT_EQ(codes[0].offset, 13u + 16u);
}

TEST(FatBinary, AContainerWhoseEntriesDoNotFillItIsNotOne) {
  auto bytes = container({{2, 80}, {2, 86}});
  auto truncated = bytes;
  truncated.resize(bytes.size() - 1);  // the last payload runs past the end
  EXPECT_TRUE(read(truncated).empty());
  auto overlong = bytes;
  overlong[8] += 8;  // the header claims 8 more bytes than the entries fill
  overlong.insert(overlong.end(), 8, 0);
  EXPECT_TRUE(read(overlong).empty());
  auto small_header = bytes;
  small_header[16 + 4] = 8;  // an entry header shorter than the fields it must hold
  EXPECT_TRUE(read(small_header).empty());
  std::vector<unsigned char> magic_only = {0x50, 0xED, 0x55, 0xBA, 1, 0};
  EXPECT_TRUE(read(magic_only).empty());
  EXPECT_EQ(names(read(bytes)), (Names{"sm_80", "sm_86"}));
}

TEST(CudaArchs, ParsesTorchCudaArchList) {
  const auto list = parse_arch_list("8.0;8.6 9.0a;10.0f+PTX");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].arch, 80u);
  EXPECT_EQ(list[2].variant, 'a');
  EXPECT_TRUE(list[3].ptx);
  EXPECT_EQ(list[3].arch, 100u);
  EXPECT_THROW(parse_arch_list("Ampere"), ArchListError);
  EXPECT_THROW(parse_arch_list("8"), ArchListError);
  EXPECT_THROW(parse_arch_list(";"), ArchListError);
}

TEST(CudaArchs, NamesEachRequestedTargetTheDeviceCodeLacks) {
  const auto codes = read(container({{2, 80}, {2, 90}, {1, 90}}));
  EXPECT_TRUE(missing_device_code(codes, parse_arch_list("8.0;9.0+PTX")).empty());
  EXPECT_EQ(missing_device_code(codes, parse_arch_list("8.0;8.6;8.9;9.0+PTX")), (Names{"sm_86 (8.6)", "sm_89 (8.9)"}));
  EXPECT_EQ(missing_device_code(codes, parse_arch_list("8.0+PTX")), (Names{"compute_80 (8.0+PTX)"}));
  EXPECT_EQ(missing_device_code(codes, parse_arch_list("9.0a")), (Names{"sm_90a (9.0a)"}));
  // No device code at all (cumesh._xatlas): nothing to run, nothing lacking.
  EXPECT_TRUE(missing_device_code({}, parse_arch_list("8.0;9.0+PTX")).empty());
}

TEST(CudaArchs, VerdictFollowsBinaryCompatibility) {
  // sm_80 SASS: 8.x natively; PTX compute_80: the JIT for everything later; nothing below 8.0.
  auto v = gpu_verdict(read(container({{2, 80}, {1, 80}})));
  EXPECT_EQ(v.native, (Names{"8.0 (A100)", "8.6 (RTX 30, A10)", "8.7 (Orin)", "8.9 (RTX 40, L4)"}));
  EXPECT_EQ(v.jit, (Names{"9.0 (H100, H200)", "10.0 (B200)", "10.3 (B300)", "12.0 (RTX 50)"}));
  EXPECT_EQ(v.none.front(), "6.0 (P100)");
  EXPECT_EQ(v.none.back(), "7.5 (T4, RTX 20)");
  // The ComfyUI-Trellis2 Torch291 wheels: sm_120 only; a Hopper has no kernel image.
  v = gpu_verdict(read(container({{2, 120}, {1, 120}})));
  EXPECT_EQ(v.native, (Names{"12.0 (RTX 50)"}));
  EXPECT_TRUE(v.jit.empty());
  EXPECT_NE(std::find(v.none.begin(), v.none.end(), "9.0 (H100, H200)"), v.none.end());
  // sm_90a runs on 9.0 alone; sm_100f on the 10.x family; compute_90a PTX only for 9.0.
  v = gpu_verdict(read(container({{2, 90, 0x11 | kArchSpecific}, {2, 100, 0x11 | kFamily}})));
  EXPECT_EQ(v.native, (Names{"9.0 (H100, H200)", "10.0 (B200)", "10.3 (B300)"}));
  v = gpu_verdict(read(container({{1, 90, 0x11 | kArchSpecific}})));
  EXPECT_EQ(v.jit, (Names{"9.0 (H100, H200)"}));
  EXPECT_EQ(gpu_verdict({}).line(), "no device code: runs no kernel, loads on any GPU");
}

TEST(TorchSymbols, EveryUndefinedSymbolFoundInTheLibrariesItLoads) {
  SymbolProviders providers({FIXTURE_STUB_LIBC10_DIR}, default_system_dirs());
  LoadChecks load;
  load.providers = &providers;
  const Policy policy = load_policy("torch-runtime", {ABI_AUDIT_BUILD_POLICY_DIR});
  const FileReport good = audit_path(FIXTURE_CALLS_C10, policy, load).at(0);
  EXPECT_TRUE(good.symbols_checked);
  EXPECT_EQ(good.symbols_searched, (Names{"libc10.so"}));
  for (const Violation& v : good.violations) EXPECT_NE(v.check, "torch-symbols") << v.detail;

  const FileReport bad = audit_path(FIXTURE_CALLS_C10_MISSING, policy, load).at(0);
  const auto found = std::find_if(bad.violations.begin(), bad.violations.end(),
                                  [](const Violation& v) { return v.check == "torch-symbols"; });
  ASSERT_NE(found, bad.violations.end());
  EXPECT_EQ(found->symbols, (Names{"c10::SymBool::guard_or_false(char const*, long) const"}));
  EXPECT_NE(found->detail.find(FIXTURE_STUB_LIBC10_DIR), std::string::npos) << found->detail;
  // Without the libraries, the check does not run.
  EXPECT_FALSE(audit_path(FIXTURE_CALLS_C10_MISSING, policy).at(0).symbols_checked);
}
