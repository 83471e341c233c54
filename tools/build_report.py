"""The build report: after every superbuild build, build/report.json and a
short table, per module: where its source came from, the toolchain, the
architectures, its size, the ABI audit and the API check.

    python3 build_report.py CONFIG.json OUT.json

CONFIG.json is written by cmake/superbuild/Report.cmake at configure time
(toolchain, architectures, policy, per package its origin, and the native
build's directory and manifest). The native build's manifest.json lists per
package its modules, their files, the audit stamp each leaves when it
passed (abi-audit's JSON) and the stamp the API check leaves when it passed.
The compilers each module's build files run come from the native build's
compile database and CMake File API replies (compilers_ran.py) and are
compared with the checked compiler: a difference fails the report. The
requirements each repaired wheel will declare come from `trellis2_wheel
requirements` (run as a subprocess, with the same Python). The
configuration, the manifest, the audit stamps and abi-audit's reports are
read through packaging/trellis2_wheel/results.py, as the SBOM and the
wheels read them (that module is standard library only, as this script is).
"""

import json
import os
import subprocess
import sys

import compilers_ran

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "packaging"))
from trellis2_wheel.errors import DeliveryError  # noqa: E402
from trellis2_wheel.results import Build, load_json  # noqa: E402


def module_rows(package, listing, ran):
    """The rows of one package; `listing` is its entry of the native build's
    manifest (None before the native build's first configure)."""
    if listing is None:
        return [{"package": package["name"], "module": None, "built": False,
                 "audit": "not run", "api_check": "not run", "source": package["origin"]}]
    api_ok = os.path.isfile(listing["api_check_stamp"])
    rows = []
    for entry in listing["modules"]:
        path = entry["file"]
        stamp = entry["audit"]
        row = {"package": package["name"], "module": entry["import"], "source": package["origin"],
               "file": path, "built": os.path.isfile(path),
               "size_bytes": os.path.getsize(path) if os.path.isfile(path) else None,
               "api_check": "passed" if api_ok else "failed or not run",
               "compilers": (ran or {}).get(entry["import"])}
        if os.path.isfile(stamp):
            audit = Build.audit(entry)
            row["audit"] = "passed" if audit["passed"] else "failed"
            row["highest"] = audit["files"][0].get("highest", {})
            row.update(load_facts(audit["files"][0]))
        else:
            row["audit"] = "failed" if row["built"] else "not run"
        rows.append(row)
    return rows


def load_facts(checked):
    """Where one audited file loads beyond the OS (abi-audit's JSON of it):
    its device code and GPU verdict, and the torch symbols it needs that
    the libraries it loads lack (the list is empty for a module that passed)."""
    device = checked.get("device_code") or {}
    unresolved = [symbol for v in checked.get("violations", []) if v["check"] == "torch-symbols"
                  for symbol in v["symbols"]]
    missing = [code for v in checked.get("violations", []) if v["check"] == "device-code" for code in v["symbols"]]
    symbols = checked.get("torch_symbols")
    return {"device_code": {key: device.get(key) for key in ("requested", "sass", "ptx", "gpus", "verdict")} |
            {"missing": missing},
            "torch_symbols": None if symbols is None else {"searched": symbols["searched"], "unresolved": unresolved}}


def input_wheels_load(build, torch):
    """Per native file of each input wheel (wheel mode): what it would do
    here, judged before any module compiled (the manifest's
    input_wheel_load, abi-audit --report-only): the requested architectures
    it lacks, its GPU verdict, the symbols this torch does not define."""
    judged = build.judged_file("input_wheel_load")
    if judged is None:
        return []
    rows = []
    for checked in judged["files"]:
        wheel, _, member = checked["path"].partition("!")
        row = {"wheel": os.path.basename(wheel), "file": member, "error": checked.get("error")}
        if not row["error"]:
            row.update(load_facts(checked))
        row["line"] = input_wheel_line(row, torch)
        rows.append(row)
    return rows


def input_wheel_line(row, torch):
    """"<wheel>: <file>: no kernel image on 9.0 (H100, H200); would not load
    with torch 2.7.0: c10::..." (what the wheel as published would do here)."""
    if row["error"]:
        return f"{row['wheel']}: {row['file']}: unreadable: {row['error']}"
    device, symbols = row["device_code"], row["torch_symbols"]
    parts = []
    if device["missing"]:
        parts.append(f"lacks {', '.join(device['missing'])}: " + device["verdict"])
    if symbols and symbols["unresolved"]:
        parts.append(f"would not load with torch {torch}: " + "; ".join(symbols["unresolved"]))
    return f"{row['wheel']}: {row['file']}: " + ("; ".join(parts) or "would load and run here")


def device_lines(rows):
    """One line per module with device code: its SASS and PTX and the GPU verdict."""
    return [f"{r['module']}: {' '.join((r['device_code']['sass'] or []) + (r['device_code']['ptx'] or [])) or '-'}: "
            f"{r['device_code']['verdict']}" for r in rows if r.get("device_code")]


def compilers_by_package(config, listing):
    """{package: {module: compilers_ran entry}} (None before the first configure)."""
    ran = compilers_ran.modules(config["native_dir"])
    if ran is None:
        return {package["name"]: None for package in config["packages"]}
    return {name: {m["import"]: ran[m["import"]] for m in entry["modules"] if m["import"] in ran}
            for name, entry in listing.items()}


def compiler_cache(config):
    """sccache's part of the report: where this build compiled (locally, or
    on the farm, and why not) and the hit rate, from the statistics of the
    build's own sccache server (cmake/scripts/sccache_server.cmake)."""
    paths = config.get("compiler_cache")
    if not paths:
        return {"launcher": "none"}
    state = json.load(open(paths["state"])) if os.path.isfile(paths["state"]) else {}
    stats_file = json.load(open(paths["stats"])) if os.path.isfile(paths["stats"]) else {}
    result = {"launcher": "sccache", "remote": paths["remote"] or None,
              "mode": state.get("mode", "unknown"), "scheduler": state.get("scheduler") or None,
              "server_died": stats_file.get("server_died", False)}
    for key in ("reason", "servers", "farm_cores"):
        if state.get(key):
            result[key] = state[key]
    stats = (stats_file.get("sccache") or {}).get("stats")
    if stats:
        hits = sum(stats["cache_hits"]["counts"].values())
        misses = sum(stats["cache_misses"]["counts"].values())
        result.update({
            "compile_requests": stats["compile_requests"], "hits": hits, "misses": misses,
            "hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
            "hits_by_language": stats["cache_hits"]["counts"], "misses_by_language": stats["cache_misses"]["counts"],
            "dist_compiles": sum(stats["dist_compiles"].values()), "dist_errors": stats["dist_errors"]})
    return result


def compiler_cache_line(cache):
    """One line saying where the build compiled and what the cache gave."""
    if cache["launcher"] == "none":
        return "compiler cache: off"
    where = {"distributed": f"on the farm of {cache.get('scheduler')} ({cache.get('servers')} server(s), "
                            f"{cache.get('farm_cores')} cores)",
             "local": "locally" + (f" ({cache['reason']})" if cache.get("reason") else "")}.get(cache["mode"], "?")
    line = f"sccache: compiled {where}"
    if "hits" in cache:
        rate = f"{100 * cache['hit_rate']:.0f}%" if cache["hit_rate"] is not None else "-"
        line += f"; {cache['hits']} hits, {cache['misses']} misses (hit rate {rate})"
        if cache["mode"] == "distributed":
            line += f"; {cache['dist_compiles']} compiled on the farm, {cache['dist_errors']} fell back to local"
    if cache["remote"]:
        line += f"; remote cache {cache['remote']}"
    if cache["server_died"]:
        line += ("; the build's sccache server DIED during the build: later compiles went to a local-only "
                 "server, and the counts above are that server's only")
    return line


def requirements(config):
    """Per distribution of the set: Requires-Python, each requirement the
    wheels target rewrites ({"from", "to", "why"}) and repack's lines about
    them (notes), or the tool's error."""
    delivery = config.get("delivery")
    if not delivery or not os.path.isdir(delivery["stage"]):
        return {}
    # The tool's own script: the user's PYTHONPATH (its packaging, installer) stays.
    proc = subprocess.run([sys.executable, os.path.join(delivery["packaging"], "trellis2-wheel"), "requirements",
                           "--stage", delivery["stage"], "--local-label", delivery["label"],
                           "--torch-version", delivery["torch_version"], "--set", *delivery["set"]],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()}
    return json.loads(proc.stdout)


def requirement_lines(reqs):
    """One line per rewritten or warned requirement, as repack prints it
    (the tool's own notes, so the two never word it differently)."""
    if "error" in reqs:
        return [f"requirements: {reqs['error']}"]
    return [line for _dist, entry in sorted(reqs.items()) for line in entry["notes"]]


def checked_compilers(config, packages):
    """compilers_ran of every package, and its differences from the checked
    compiler (an empty list when every compile and link used it)."""
    checked = config["toolchain"]["cxx_compiler"]
    lines = []
    for name, found in packages.items():
        lines += [f"{name}: {line}" for line in compilers_ran.differences(found or {}, checked)]
    return {"checked": checked, "differences": lines}


def compilers_line(summary, packages):
    used = sorted({path for found in packages.values() for entry in (found or {}).values()
                   for path in (entry["nvcc_host"], entry["cxx"], entry["linker"]) if path})
    if summary["differences"]:
        return "compilers that ran DIFFER from the checked " + summary["checked"] + ":\n  " + \
            "\n  ".join(summary["differences"])
    return (f"compilers that ran (from the build files): {', '.join(used) or 'none yet'}; "
            f"every nvcc -ccbin, C++ compile and link is the checked {summary['checked']}")


def platform_tags(build):
    """The platform tag each repaired wheel got (<cell>/platform-tags.json,
    written by the wheels target) and the one each input wheel would have
    earned (abi-audit --platform-tag's report, named by the native build's
    manifest), each with abi-audit's reason: what kept it off the next more
    compatible tag (null: none)."""
    wheels = (build.config.get("platform_tags") or {}).get("wheels", "")
    inputs = build.judged_file("input_wheel_tags")
    result = {"wheels": [], "input_wheels": []}
    if os.path.isfile(wheels):
        result["wheels"] = [{key: entry[key] for key in ("dist", "wheel", "platform_tag", "reason")}
                            for entry in load_json(wheels, "platform tags of the wheels")["wheels"]]
    if inputs is not None:
        result["input_wheels"] = [{"wheel": os.path.basename(entry["path"]), "platform_tag": entry["platform_tag"],
                                   "reason": entry.get("reason")}
                                  for entry in inputs["inputs"]]
    return result


def platform_tag_lines(tags):
    """One line per wheel: the tag it got, or an input wheel would have earned."""
    def line(prefix, entry):
        return f"{prefix}{entry['wheel']}: {entry['platform_tag']}" + (f" ({entry['reason']})" if entry["reason"] else "")
    return ([line("wheel ", e) for e in tags["wheels"]] +
            [line("input wheel, would have earned: ", e) for e in tags["input_wheels"]])


def table(rows):
    header = ("module", "size", "audit", "highest GLIBCXX/GLIBC", "device code", "torch symbols", "API check", "source")
    lines = [header]
    for r in rows:
        highest = r.get("highest") or {}
        size = f"{r['size_bytes'] / 1e6:.1f} MB" if r.get("size_bytes") else "-"
        device = r.get("device_code") or {}
        codes = " ".join((device.get("sass") or []) + (device.get("ptx") or [])) or ("none" if device else "-")
        symbols = r.get("torch_symbols")
        resolved = "-" if "torch_symbols" not in r else "not checked" if symbols is None else \
            "all defined" if not symbols["unresolved"] else f"{len(symbols['unresolved'])} undefined"
        lines.append((r["module"] or f"({r['package']})", size, r["audit"],
                      f"{highest.get('GLIBCXX') or '-'} / {highest.get('GLIBC') or '-'}", codes, resolved,
                      r["api_check"], r["source"]))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(line, widths)).rstrip() for line in lines)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: build_report.py CONFIG.json OUT.json")
    try:
        write_report(Build(sys.argv[1]), sys.argv[2])
    except DeliveryError as exc:
        # What is wrong with a file the build left, and what to run.
        found = f": {exc.found}" if exc.found else ""
        fix = f"\n{exc.fix[0].upper()}{exc.fix[1:]}" if exc.fix else ""
        sys.exit(f"build report: {exc.subject} {exc.problem}{found}.{fix}")


def write_report(build, out_path):
    config = build.config
    # {} before the native build's first configure; a damaged one is refused.
    listing = build.manifest_if_built().get("packages", {})
    ran = compilers_by_package(config, listing)
    rows = [row for package in config["packages"]
            for row in module_rows(package, listing.get(package["name"]), ran.get(package["name"]))]
    report = {key: config[key] for key in ("toolchain", "architectures", "abi_policy", "python_from",
                                           "environment_not_used")}
    report["modules"] = rows
    report["compilers_ran"] = checked_compilers(config, ran)
    report["compiler_cache"] = compiler_cache(config)
    report["requirements"] = requirements(config)
    report["platform_tags"] = platform_tags(build)
    report["input_wheels_load"] = input_wheels_load(build, config["toolchain"]["torch"])
    tmp = out_path + ".tmp"
    with open(tmp, "w") as out:
        json.dump(report, out, indent=1, sort_keys=True)
        out.write("\n")
    os.replace(tmp, out_path)
    tc = config["toolchain"]
    toolkit = tc["cuda_toolkit"]
    nvcc_from = "system" if toolkit["from"] == "system" else f"PyPI cuda-toolkit {toolkit['version']}"
    print(f"build report ({out_path}): torch {tc['torch']}, {tc['cxx']}, nvcc {tc['nvcc_build']} ({nvcc_from}), "
          f"architectures {';'.join(config['architectures'])}, policy {config['abi_policy']}")
    print(compilers_line(report["compilers_ran"], ran))
    for note in config["environment_not_used"]:
        print(f"environment: {note}")
    print(compiler_cache_line(report["compiler_cache"]))
    print(table(rows))
    for line in device_lines(rows):
        print(line)
    for line in requirement_lines(report["requirements"]):
        print(line)
    for line in platform_tag_lines(report["platform_tags"]):
        print(line)
    for row in report["input_wheels_load"]:
        print("input wheel, as published, here: " + row["line"])
    if report["compilers_ran"]["differences"]:
        sys.exit("build report: a module was compiled or linked by another compiler than the checked one "
                 f"(above). Remove the native build's tree ({config['native_dir']}) and build again.")


if __name__ == "__main__":
    main()
