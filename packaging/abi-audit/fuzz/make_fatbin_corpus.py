"""Seeds with CUDA fat binaries (make_corpus.sh runs this): corpus/fatbin/
holds container bytes as nvcc lays them (fatbin.h) - two containers, SASS
and PTX, compressed and architecture-specific entries; corpus/elf/fatbin.so
is corpus/elf/minimal.so with those bytes as its .nv_fatbin section."""
import os
import struct
import subprocess
import sys


def container(entries):
    body = b""
    for kind, arch, flags in entries:
        payload = bytes([0xAB]) * 24
        body += struct.pack("<HHIQIIHHIIIQQQ", kind, 0x101, 64, len(payload), len(payload), 0, 8, 1, arch,
                            0, 0, flags, 0, 0) + payload
    return struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(body)) + body


corpus = sys.argv[1]
os.makedirs(f"{corpus}/fatbin", exist_ok=True)
blob = container([(2, 80, 0x11), (1, 90, 0x8011)]) + container([(2, 90, 0x100011), (1, 100, 0x202011)])
open(f"{corpus}/fatbin/two_containers.bin", "wb").write(blob)
open(f"{corpus}/fatbin/one_entry.bin", "wb").write(container([(2, 120, 0x1000011)]))
open(f"{corpus}/fatbin.tmp", "wb").write(blob)
subprocess.run(["objcopy", "--add-section", f".nv_fatbin={corpus}/fatbin.tmp", "--set-section-flags",
                ".nv_fatbin=alloc,readonly", f"{corpus}/elf/minimal.so", f"{corpus}/elf/fatbin.so"], check=True)
os.remove(f"{corpus}/fatbin.tmp")
