// Reads the dynamic-linking facts of an ELF file through libelf (elfutils).
// Every table is reached through libelf's accessors (gelf_getdyn,
// gelf_getsym, gelf_getverneed...), which bound-check against the section
// data; this file only adds the checks libelf leaves to the caller (string
// offsets, counts that disagree, walks that would not end).
#include "elf_facts.h"

#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

#include "cxx_runtime.h"

namespace abi_audit {
namespace {

// The loader's version index: its low 15 bits (bit 15 marks "hidden").
constexpr unsigned kVersionIndexMask = 0x7fff;

[[noreturn]] void fail(const std::string& label, const std::string& what) {
  throw InputError(label + ": " + what);
}

std::string libelf_error() {
  const char* msg = elf_errmsg(-1);
  return msg ? msg : "unknown libelf error";
}

// The sections abi-audit reads: dynamic-linking data, and for the C++
// evidence .symtab and .rodata*. Shared objects keep their section headers
// even when stripped, so we read sections, not segments.
struct DynamicSections {
  Elf_Scn* dynamic = nullptr;
  Elf_Scn* dynsym = nullptr;
  Elf_Scn* versym = nullptr;
  Elf_Scn* verneed = nullptr;
  Elf_Scn* symtab = nullptr;  // absent once stripped
  std::vector<Elf_Scn*> rodata;
};

// Local clones (foo.cold, foo.localalias) repeat the function they split from.
void add_evidence(std::vector<std::string>& list, const std::string& name) {
  if (list.size() < kMaxCxxEvidence && name.find('.') == std::string::npos &&
      std::find(list.begin(), list.end(), name) == list.end())
    list.push_back(name);
}

class Reader {
 public:
  Reader(Elf* elf, std::string label) : elf_(elf), label_(std::move(label)) {}

  ElfFacts read() {
    check_header();
    DynamicSections s = find_sections();
    ElfFacts facts;
    if (s.dynamic) read_dynamic(s.dynamic, facts);
    std::map<unsigned, VersionNeed> version_of_index;
    if (s.verneed) read_verneed(s.verneed, facts, version_of_index);
    read_device_code(facts);
    // C++ evidence matters only without libstdc++.so.6 (see ElfFacts), and
    // demangling every symbol of a large C++ library would cost seconds.
    gather_cxx_ = std::find(facts.needed.begin(), facts.needed.end(), "libstdc++.so.6") == facts.needed.end();
    if (s.dynsym) read_symbols(s.dynsym, s.versym, version_of_index, facts);
    if (!gather_cxx_) return facts;
    if (s.symtab) read_static_symbols(s.symtab, facts);
    for (Elf_Scn* scn : s.rodata) find_runtime_type_names(scn, facts);
    return facts;
  }

  LibraryExports exports() {
    check_header();
    DynamicSections s = find_sections();
    ElfFacts facts;
    if (s.dynamic) read_dynamic(s.dynamic, facts);
    LibraryExports out{std::move(facts.needed), {}};
    if (!s.dynsym) return out;
    for_each_symbol(s.dynsym, ".dynsym", [&](size_t, const GElf_Sym& sym, std::string name) {
      const int bind = GELF_ST_BIND(sym.st_info);
      const int visibility = GELF_ST_VISIBILITY(sym.st_other);
      if (sym.st_shndx != SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
          (visibility == STV_DEFAULT || visibility == STV_PROTECTED))
        out.symbols.push_back(std::move(name));
    });
    return out;
  }

 private:
  // Fat binaries are found in the raw file (fatbin.h): .nv_fatbin and anywhere else.
  void read_device_code(ElfFacts& facts) {
    size_t size = 0;
    const char* raw = elf_rawfile(elf_, &size);
    if (raw) facts.device_code = read_fat_binaries(reinterpret_cast<const unsigned char*>(raw), size);
  }

  void check_header() {
    switch (elf_kind(elf_)) {
      case ELF_K_ELF: break;
      case ELF_K_AR: fail(label_, "is an ar archive (static library), expected an ELF shared object");
      default: fail(label_, "is not an ELF file (no \\x7fELF magic); expected a shared object");
    }
    GElf_Ehdr ehdr;
    if (!gelf_getehdr(elf_, &ehdr)) fail(label_, "ELF header unreadable: " + libelf_error());
    if (ehdr.e_type != ET_DYN && ehdr.e_type != ET_EXEC)
      fail(label_, "ELF type " + std::to_string(ehdr.e_type) +
                       " is not a shared object or executable (ET_DYN/ET_EXEC); nothing to load");
  }

  DynamicSections find_sections() {
    size_t count = 0;
    if (elf_getshdrnum(elf_, &count) != 0)
      fail(label_, "section header table unreadable (file truncated?): " + libelf_error());
    if (count == 0)
      fail(label_, "has no section headers (truncated, or stripped with sstrip); "
                   "abi-audit reads .dynamic/.dynsym/.gnu.version_r sections");
    size_t names = 0;  // section name string table; a file without one has no .rodata we can name
    if (elf_getshdrstrndx(elf_, &names) != 0) names = SHN_UNDEF;
    DynamicSections s;
    for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr)) fail(label_, "section header unreadable: " + libelf_error());
      switch (shdr.sh_type) {
        case SHT_DYNAMIC: s.dynamic = scn; break;
        case SHT_DYNSYM: s.dynsym = scn; break;
        case SHT_GNU_versym: s.versym = scn; break;
        case SHT_GNU_verneed: s.verneed = scn; break;
        case SHT_SYMTAB: s.symtab = scn; break;
        case SHT_PROGBITS:
          if ((shdr.sh_flags & (SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR)) == SHF_ALLOC && is_rodata(names, shdr))
            s.rodata.push_back(scn);
          break;
        default: break;
      }
    }
    return s;
  }

  // Only .rodata*: a CUDA module's .nv_fatbin is read-only too, and large.
  bool is_rodata(size_t names, const GElf_Shdr& shdr) {
    if (names == SHN_UNDEF) return false;
    const char* name = elf_strptr(elf_, names, shdr.sh_name);
    return name && std::strncmp(name, ".rodata", 7) == 0;
  }

  // The section's data, or an InputError naming the section when its bytes
  // lie outside the file (the usual sign of truncation).
  Elf_Data* data_of(Elf_Scn* scn, const char* what, GElf_Shdr& shdr) {
    if (!gelf_getshdr(scn, &shdr)) fail(label_, std::string(what) + " header unreadable: " + libelf_error());
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) fail(label_, std::string(what) + " data unreadable (file truncated?): " + libelf_error());
    return data;
  }

  std::string string_at(size_t strtab, size_t offset, const char* what) {
    const char* s = elf_strptr(elf_, strtab, offset);
    if (!s) fail(label_, std::string(what) + " name at string offset " + std::to_string(offset) +
                             " is outside its string table: " + libelf_error());
    return s;
  }

  static std::vector<std::string> split_path_list(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
      size_t colon = list.find(':', start);
      out.push_back(list.substr(start, colon - start));
      if (colon == std::string::npos) return out;
      start = colon + 1;
    }
  }

  void read_dynamic(Elf_Scn* scn, ElfFacts& facts) {
    GElf_Shdr shdr;
    Elf_Data* data = data_of(scn, ".dynamic", shdr);
    const size_t entry = gelf_fsize(elf_, ELF_T_DYN, 1, EV_CURRENT);
    const size_t count = entry ? data->d_size / entry : 0;
    for (size_t i = 0; i < count; ++i) {
      GElf_Dyn dyn;
      if (!gelf_getdyn(data, static_cast<int>(i), &dyn)) fail(label_, ".dynamic entry unreadable: " + libelf_error());
      if (dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag == DT_NEEDED) facts.needed.push_back(string_at(shdr.sh_link, dyn.d_un.d_val, "DT_NEEDED"));
      if (dyn.d_tag == DT_RPATH) facts.rpath = split_path_list(string_at(shdr.sh_link, dyn.d_un.d_val, "DT_RPATH"));
      if (dyn.d_tag == DT_RUNPATH)
        facts.runpath = split_path_list(string_at(shdr.sh_link, dyn.d_un.d_val, "DT_RUNPATH"));
    }
  }

  // Walks the verneed chain: one Verneed per library, each with a chain of
  // Vernaux (one per version). vna_other is the index versym entries use.
  void read_verneed(Elf_Scn* scn, ElfFacts& facts, std::map<unsigned, VersionNeed>& version_of_index) {
    GElf_Shdr shdr;
    Elf_Data* data = data_of(scn, ".gnu.version_r", shdr);
    size_t offset = 0;
    for (size_t i = 0; i < shdr.sh_info; ++i) {
      GElf_Verneed need;
      if (offset > data->d_size || !gelf_getverneed(data, static_cast<int>(offset), &need))
        fail(label_, ".gnu.version_r entry " + std::to_string(i) + " unreadable: " + libelf_error());
      const std::string file = string_at(shdr.sh_link, need.vn_file, "verneed file");
      size_t aux = offset + need.vn_aux;
      for (size_t j = 0; j < need.vn_cnt; ++j) {
        GElf_Vernaux vernaux;
        if (aux > data->d_size || !gelf_getvernaux(data, static_cast<int>(aux), &vernaux))
          fail(label_, ".gnu.version_r auxiliary entry of " + file + " unreadable: " + libelf_error());
        std::string version = string_at(shdr.sh_link, vernaux.vna_name, "verneed version");
        version_of_index[vernaux.vna_other & kVersionIndexMask] = {file, version};
        facts.version_needs.push_back({file, std::move(version)});
        if (vernaux.vna_next == 0) break;
        aux += vernaux.vna_next;
      }
      if (need.vn_next == 0) break;
      offset += need.vn_next;
    }
  }

  // Calls visit(index, sym, name) for every named entry of a symbol table.
  template <typename Visit>
  void for_each_symbol(Elf_Scn* scn, const char* what, Visit visit) {
    GElf_Shdr shdr;
    Elf_Data* syms = data_of(scn, what, shdr);
    const size_t entry = gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
    const size_t count = entry ? syms->d_size / entry : 0;
    for (size_t i = 1; i < count; ++i) {  // entry 0 is the null symbol
      GElf_Sym sym;
      if (!gelf_getsym(syms, static_cast<int>(i), &sym))
        fail(label_, std::string(what) + " entry unreadable: " + libelf_error());
      if (sym.st_name != 0) visit(i, sym, string_at(shdr.sh_link, sym.st_name, "symbol"));
    }
  }

  size_t symbol_count(Elf_Scn* scn) {
    GElf_Shdr shdr;
    const size_t entry = gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
    return entry ? data_of(scn, ".dynsym", shdr)->d_size / entry : 0;
  }

  void read_symbols(Elf_Scn* dynsym, Elf_Scn* versym_scn, const std::map<unsigned, VersionNeed>& version_of_index,
                    ElfFacts& facts) {
    Elf_Data* versym = nullptr;
    if (versym_scn) {
      GElf_Shdr vshdr;
      versym = data_of(versym_scn, ".gnu.version", vshdr);
      const size_t count = symbol_count(dynsym);
      if (versym->d_size / sizeof(GElf_Versym) < count)
        fail(label_, ".gnu.version has fewer entries than .dynsym (" + std::to_string(count) + " symbols)");
    }
    for_each_symbol(dynsym, ".dynsym", [&](size_t i, const GElf_Sym& sym, std::string name) {
      if (sym.st_shndx == SHN_UNDEF) {
        if (gather_cxx_ && is_cxx_import(name)) add_evidence(facts.cxx_imported, name);
        GElf_Versym index = 0;
        if (versym && !gelf_getversym(versym, static_cast<int>(i), &index))
          fail(label_, ".gnu.version entry unreadable: " + libelf_error());
        auto found = version_of_index.find(index & kVersionIndexMask);
        const bool versioned = found != version_of_index.end();
        facts.undefined.push_back({name, versioned ? found->second.file : "", GELF_ST_BIND(sym.st_info) == STB_WEAK});
        if (versioned) facts.symbols_by_version[found->second.version].push_back(std::move(name));
        return;
      }
      if (gather_cxx_ && is_cxx_runtime_definition(name)) add_evidence(facts.cxx_runtime_defined, name);
      if (is_exported(sym) && name.rfind("PyInit_", 0) == 0) facts.python_inits.push_back(std::move(name));
    });
  }

  // .symtab keeps the names -Wl,--exclude-libs,ALL hid from .dynsym.
  void read_static_symbols(Elf_Scn* symtab, ElfFacts& facts) {
    for_each_symbol(symtab, ".symtab", [&](size_t, const GElf_Sym& sym, const std::string& name) {
      if (sym.st_shndx != SHN_UNDEF && is_cxx_runtime_definition(name)) add_evidence(facts.cxx_runtime_defined, name);
    });
  }

  // Looks for each runtime type name as a whole NUL-terminated string.
  void find_runtime_type_names(Elf_Scn* scn, ElfFacts& facts) {
    GElf_Shdr shdr;
    Elf_Data* data = data_of(scn, ".rodata", shdr);
    if (!data->d_buf) return;
    const std::string_view bytes(static_cast<const char*>(data->d_buf), data->d_size);
    for (const std::string& type_name : cxx_runtime_type_names()) {
      const std::string needle = std::string(1, '\0') + type_name + '\0';
      if (bytes.find(needle) != std::string_view::npos ||
          bytes.compare(0, needle.size() - 1, needle.c_str() + 1, needle.size() - 1) == 0)
        add_evidence(facts.cxx_runtime_type_names, type_name);
    }
  }

  static bool is_exported(const GElf_Sym& sym) {
    const int visibility = GELF_ST_VISIBILITY(sym.st_other);
    return GELF_ST_BIND(sym.st_info) == STB_GLOBAL && (visibility == STV_DEFAULT || visibility == STV_PROTECTED);
  }

  Elf* elf_;
  std::string label_;
  bool gather_cxx_ = false;
};

void init_libelf() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  if (!ready) throw std::runtime_error("libelf refused EV_CURRENT: " + libelf_error());
}

// Owns an Elf handle (and the descriptor it reads) for one read.
class ElfHandle {
 public:
  ElfHandle(Elf* elf, int fd) : elf_(elf), fd_(fd) {}
  ~ElfHandle() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) close(fd_);
  }
  ElfHandle(const ElfHandle&) = delete;
  ElfHandle& operator=(const ElfHandle&) = delete;
  Elf* get() const { return elf_; }

 private:
  Elf* elf_;
  int fd_;
};

// Opens a file on disk (mmap through libelf) and hands a Reader to `use`.
template <typename Use>
auto read_file_with(const std::string& path, Use use) {
  init_libelf();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  ElfHandle handle(elf_begin(fd, ELF_C_READ_MMAP, nullptr), fd);
  if (!handle.get()) fail(path, "libelf cannot read it (truncated or not an ELF file?): " + libelf_error());
  Reader reader(handle.get(), path);
  return use(reader);
}

}  // namespace

ElfFacts read_elf_file(const std::string& path) {
  return read_file_with(path, [](Reader& reader) { return reader.read(); });
}

LibraryExports read_library_exports(const std::string& path) {
  return read_file_with(path, [](Reader& reader) { return reader.exports(); });
}

ElfFacts read_elf_memory(std::vector<char>& image, const std::string& label) {
  init_libelf();
  ElfHandle handle(elf_memory(image.data(), image.size()), -1);
  if (!handle.get()) fail(label, "libelf cannot read it (truncated or not an ELF file?): " + libelf_error());
  return Reader(handle.get(), label).read();
}

}  // namespace abi_audit
