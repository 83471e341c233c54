// Corrupt input must give exit code 2 and a message naming the file, never
// a crash. CI runs these under -fsanitize=address,undefined
// (ABI_AUDIT_SANITIZE=ON), where a bad read is a test failure too.
#include <gtest/gtest.h>

#include "elf_facts.h"
#include "test_support.h"

using namespace abi_audit;
using namespace abi_audit_test;

namespace {

void expect_unreadable(const ToolResult& r, const std::string& named, const std::string& why) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("ERROR " + named), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(why), std::string::npos) << r.out;
}

// Reading must either succeed or throw InputError: anything else (another
// exception, a sanitizer report, a crash) fails the test.
void read_or_input_error(std::vector<char> image, const std::string& label) {
  try {
    read_elf_memory(image, label);
  } catch (const InputError&) {
  }
}

}  // namespace

TEST(CorruptInput, NotAnElfFile) {
  const std::string path = scratch_dir("corrupt_text") + "/libnot_elf.so";
  write_file(path, "INPUT(-lfoo)\n");  // a linker script, as some libfoo.so are
  expect_unreadable(run_tool({path}), path, "is not an ELF file");
  EXPECT_THROW(read_elf_file(path), InputError);
}

TEST(CorruptInput, TruncatedElfAtHeaderAndMidFile) {
  const std::string good = read_file(FIXTURE_GLIBCXX32);
  const std::string dir = scratch_dir("corrupt_truncated");
  for (const size_t length : {size_t{0}, size_t{4}, size_t{16}, size_t{63}, size_t{64}, good.size() / 2}) {
    const std::string path = dir + "/libtruncated_" + std::to_string(length) + ".so";
    write_file(path, good.substr(0, length));
    SCOPED_TRACE(path);
    const ToolResult r = run_tool({path});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.out.find("ERROR " + path), std::string::npos) << r.out;
  }
}

TEST(CorruptInput, EveryTruncationPointReadsOrFailsCleanly) {
  const std::string good = read_file(FIXTURE_GLIBCXX32);
  for (size_t length = 0; length < good.size(); length += 61)
    read_or_input_error(std::vector<char>(good.begin(), good.begin() + length), "truncated");
}

TEST(CorruptInput, OverwrittenBytesReadOrFailCleanly) {
  const std::string good = read_file(FIXTURE_GLIBCXX32);
  for (size_t at = 0; at + 4 <= good.size(); at += 37) {
    for (const char fill : {'\xff', '\x00', '\x7f'}) {
      std::vector<char> image(good.begin(), good.end());
      std::fill(image.begin() + at, image.begin() + at + 4, fill);
      read_or_input_error(image, "overwritten at " + std::to_string(at));
    }
  }
}

TEST(CorruptInput, ZipWithABrokenMember) {
  const std::string dir = scratch_dir("corrupt_zip_member");
  const std::string wheel = dir + "/cumesh-0.0.1-cp312-cp312-linux_x86_64.whl";
  const std::string member = "cumesh/_xatlas.cpython-312-x86_64-linux-gnu.so";
  write_wheel(wheel, {{member, read_file(FIXTURE_PYINIT_RIGHT)}});
  // The member is stored uncompressed: flip a byte inside its ELF image.
  std::string bytes = read_file(wheel);
  const size_t elf = bytes.find("\x7f" "ELF");
  ASSERT_NE(elf, std::string::npos);
  bytes[elf + 200] = static_cast<char>(bytes[elf + 200] ^ 0x5a);
  write_file(wheel, bytes);
  expect_unreadable(run_tool({wheel}), wheel + "!" + member, "zip entry is corrupt");
}

TEST(CorruptInput, TruncatedZipAndNotAZip) {
  const std::string dir = scratch_dir("corrupt_zip");
  const std::string good = dir + "/good.whl";
  write_wheel(good, {{"m/_xatlas.cpython-312-x86_64-linux-gnu.so", read_file(FIXTURE_PYINIT_RIGHT)}});
  const std::string truncated = dir + "/truncated.whl";
  const std::string bytes = read_file(good);
  write_file(truncated, bytes.substr(0, bytes.size() / 2));
  expect_unreadable(run_tool({truncated}), truncated, "cannot open as a zip");
  const std::string text = dir + "/text.whl";
  write_file(text, "not a zip at all\n");
  expect_unreadable(run_tool({text}), text, "cannot open as a zip");
}

// Found by the wheel fuzzer: a member whose headers claim 4 GiB made the
// reader allocate what they claimed. The claim must fit the archive.
TEST(CorruptInput, MemberClaimingMoreThanTheArchiveCanHold) {
  const std::string dir = scratch_dir("corrupt_zip_sizes");
  const std::string wheel = dir + "/liar-1.0-cp312-cp312-linux_x86_64.whl";
  const std::string member = "m/_xatlas.cpython-312-x86_64-linux-gnu.so";
  write_wheel(wheel, {{member, read_file(FIXTURE_PYINIT_RIGHT)}});
  std::string bytes = read_file(wheel);
  const auto claim = [&](const std::string& signature, size_t comp_at, size_t size_at) {
    const size_t header = bytes.find(signature);
    ASSERT_NE(header, std::string::npos) << "no zip header " << signature.substr(2);
    bytes.replace(header + comp_at, 4, "\xf0\xff\xff\xff");
    bytes.replace(header + size_at, 4, "\xf0\xff\xff\xff");
  };
  claim(std::string("PK\x03\x04", 4), 18, 22);  // local file header
  claim(std::string("PK\x01\x02", 4), 20, 24);  // central directory entry
  write_file(wheel, bytes);
  expect_unreadable(run_tool({wheel}), wheel, "which its compressed size cannot hold");  // refused, not read
}
