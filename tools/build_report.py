"""The build report: after every superbuild build, build/report.json and a
short table, per module: where its source came from, the toolchain, the
architectures, its size, the ABI audit and the API check.

    python3 build_report.py CONFIG.json OUT.json

CONFIG.json is written by cmake/Report.cmake at configure time (toolchain,
architectures, policy, and per package its origin and sub-build directory).
Each sub-build leaves modules.json (its modules and their files), one
audit/<module>.audit.json per module that passed the audit (abi-audit's
JSON), and api-check.ok when the API check passed. Standard library only.
"""

import json
import os
import sys


def module_rows(package):
    build = package["subbuild_dir"]
    listing = os.path.join(build, "modules.json")
    if not os.path.isfile(listing):
        return [{"package": package["name"], "module": None, "built": False,
                 "audit": "not run", "api_check": "not run", "source": package["origin"]}]
    modules = json.load(open(listing))
    api_ok = os.path.isfile(modules["api_check_stamp"])
    rows = []
    for entry in modules["modules"]:
        path = entry["file"]
        stamp = os.path.join(build, "audit", entry["import"] + ".audit.json")
        row = {"package": package["name"], "module": entry["import"], "source": package["origin"],
               "file": path, "built": os.path.isfile(path),
               "size_bytes": os.path.getsize(path) if os.path.isfile(path) else None,
               "api_check": "passed" if api_ok else "failed or not run"}
        if os.path.isfile(stamp):
            audit = json.load(open(stamp))
            row["audit"] = "passed" if audit["passed"] else "failed"
            row["highest"] = audit["files"][0].get("highest", {})
        else:
            row["audit"] = "failed" if row["built"] else "not run"
        rows.append(row)
    return rows


def table(rows):
    header = ("module", "size", "audit", "highest GLIBCXX/GLIBC", "API check", "source")
    lines = [header]
    for r in rows:
        highest = r.get("highest") or {}
        size = f"{r['size_bytes'] / 1e6:.1f} MB" if r.get("size_bytes") else "-"
        lines.append((r["module"] or f"({r['package']})", size, r["audit"],
                      f"{highest.get('GLIBCXX') or '-'} / {highest.get('GLIBC') or '-'}",
                      r["api_check"], r["source"]))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(line, widths)).rstrip() for line in lines)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: build_report.py CONFIG.json OUT.json")
    config = json.load(open(sys.argv[1]))
    rows = [row for package in config["packages"] for row in module_rows(package)]
    report = {key: config[key] for key in ("toolchain", "architectures", "abi_policy", "python_from")}
    report["modules"] = rows
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as out:
        json.dump(report, out, indent=1, sort_keys=True)
        out.write("\n")
    os.replace(tmp, sys.argv[2])
    tc = config["toolchain"]
    print(f"build report ({sys.argv[2]}): torch {tc['torch']}, {tc['cxx']}, nvcc {tc['nvcc']}, "
          f"architectures {';'.join(config['architectures'])}, policy {config['abi_policy']}")
    print(table(rows))


if __name__ == "__main__":
    main()
