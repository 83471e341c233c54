#!/usr/bin/env bash
# Writes the seed corpus under corpus/<target>/: tiny ELF files made with
# gcc -nostdlib -shared, small wheels holding them, and policy files. The
# outputs are checked in; run this again only to change the seeds.
#   bash packaging/abi-audit/fuzz/make_corpus.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Inputs that once failed a fuzz run (regression-*) are kept.
find "$here/corpus" -type f ! -name 'regression-*' -delete 2>/dev/null || true
mkdir -p "$here/corpus/elf" "$here/corpus/wheel" "$here/corpus/policy" "$here/corpus/fatbin"

# Small pages and no separate code segment keep each ELF to a few KB.
small=(-shared -fPIC -Os -nostdlib -Wl,-z,max-page-size=0x1000 -Wl,-z,noseparate-code -Wl,--build-id=none)
cat >"$tmp/module.c" <<'C'
__attribute__((visibility("default"))) int PyInit__m(void) { return 0; }
C
# A module that imports a versioned glibc symbol and a C++ symbol of libc10,
# and holds a C++ runtime type name in .rodata: every reader path.
cat >"$tmp/rich.c" <<'C'
#include <stdlib.h>
void _ZN3c106detail14torchCheckFailEPKcS2_jS2_(const char*, const char*, unsigned, const char*);
const char type_name[] = "St9bad_alloc";
__attribute__((visibility("default"))) int PyInit__m(const char* s) {
  _ZN3c106detail14torchCheckFailEPKcS2_jS2_(type_name, s, 1, s);
  return getenv(s) != 0;
}
C
gcc "${small[@]}" -s "$tmp/module.c" -o "$here/corpus/elf/minimal.so"
gcc "${small[@]}" "$tmp/rich.c" -lc -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags -o "$here/corpus/elf/rich.so"
gcc "${small[@]}" "$tmp/module.c" -Wl,-rpath,/home/builder/lib -Wl,--disable-new-dtags -o "$here/corpus/elf/rpath_symtab.so"

python3 - "$here/corpus" <<'PY'
import sys, zipfile
corpus = sys.argv[1]
so = open(f"{corpus}/elf/rich.so", "rb").read()
member = "pkg/_m.cpython-312-x86_64-linux-gnu.so"
record = f"{member},sha256=x,{len(so)}\npkg-1.0.dist-info/RECORD,,\n"
for name, compression, members in [
    ("stored.whl", zipfile.ZIP_STORED, [(member, so), ("pkg-1.0.dist-info/RECORD", record)]),
    ("deflated.whl", zipfile.ZIP_DEFLATED, [(member, so), ("pkg/libhelper.so.1", so)]),
    ("unsafe.whl", zipfile.ZIP_STORED, [("../evil.so", b"x"), ("pkg\\a.so", b"x")]),
]:
    with zipfile.ZipFile(f"{corpus}/wheel/{name}", "w", compression) as z:
        for path, data in members:
            z.writestr(path, data)
with zipfile.ZipFile(f"{corpus}/wheel/symlink.whl", "w") as z:
    link = zipfile.ZipInfo("pkg/libc10.so")
    link.external_attr = 0o120777 << 16
    z.writestr(link, "/etc/passwd")
PY

cp "$here/../policies/"*.policy "$here/corpus/policy/"
printf 'name = dev\ninclude = rocky9\nmax   GLIBC = 2.36\nmax GCC = none\nallow-needed = libextra*.so\n' \
  >"$here/corpus/policy/custom.policy"
printf '# errors\nmax ZLIB = 1\nmax GLIBCXX = 3..4\nbogus\ninclude = custom\n' >"$here/corpus/policy/errors.policy"
ls -l "$here/corpus"/*

# CUDA fat binaries: corpus/fatbin/ and an ELF with a .nv_fatbin section.
python3 "$here/make_fatbin_corpus.py" "$here/corpus"
