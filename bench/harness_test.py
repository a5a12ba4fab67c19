#!/usr/bin/env python3
"""harness_test.py BUILD_DIR: ctest bench.harness. Runs scripts/bench once on
one program with every section, and checks what it produced: exit status 0,
no problems, the JSON's keys and values that are not timings (the checksum,
counts, sizes, that every figure is there and positive), and that --markdown
replaced exactly the text between the markers. It asserts nothing about speed.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    build = os.path.abspath(sys.argv[1])
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        doc = os.path.join(tmp, "doc.md")
        with open(doc, "w") as f:
            f.write("before\n<!-- bench:begin -->\nOLD TABLE\n<!-- bench:end -->\nafter\n")
        out = os.path.join(tmp, "b.json")
        cmd = [os.path.join(ROOT, "scripts", "bench"), "--build", build, "--quick", "--programs", "calls",
               "--cap", "1", "--load-size", "200000", "--json", out, "--markdown", doc, "--quiet"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        print(r.stdout)
        print(r.stderr, file=sys.stderr)
        check(r.returncode == 0, f"exit status {r.returncode}, expected 0")
        with open(out) as f:
            j = json.load(f)
        with open(doc) as f:
            md = f.read()
        # --from-json renders a saved run exactly as the run printed it.
        again = subprocess.run([cmd[0], "--from-json", out], capture_output=True, text=True)
        check(again.returncode == 0 and again.stdout == r.stdout, "--from-json does not reproduce the run's Markdown")

    for key in ("schema", "date", "command", "repeat", "quick", "machine", "engines", "programs", "ratios",
                "summary", "load", "small_module", "problems", "sections", "cap_seconds"):
        check(key in j, f"JSON has no '{key}'")
    check(j.get("schema") == 1, "schema is not 1")
    check(j.get("repeat") == 1 and j.get("quick") is True, "--quick did not make one run")
    check(j.get("problems") == [], f"problems: {j.get('problems')}")
    check(sorted(j.get("programs", {})) == ["calls"], f"programs {sorted(j.get('programs', {}))}, expected calls")
    row = j["programs"]["calls"]
    engines = row["engines"]
    for e in ("warden", "warden-metrics", "warden+fuel", "warden+deadline"):
        check(e in engines and engines[e]["median"] and engines[e]["median"] > 0, f"no time for {e}")
        check(len(engines.get(e, {}).get("samples", [])) == 1, f"{e}: not exactly one sample")
    check(engines["warden-metrics"]["inproc"] and engines["warden-metrics"]["inproc"] > 0, "no warden invoke time")
    # The checksum is Warden's bench(), which V8 reproduced (else problems is non-empty).
    w = subprocess.run([os.path.join(build, "warden"), "run",
                        os.path.join(build, "bench", "programs", "calls.wasm"), "--invoke", "bench"],
                       capture_output=True, text=True).stdout.strip()
    check(w == "i32:" + str(row["checksum"]), f"checksum {row['checksum']}, warden says {w}")
    for peer in j["engines"]:
        if peer == "warden":
            continue
        check(peer in j["ratios"]["calls"], f"no ratio for {peer}")
        check(peer in j["summary"], f"no summary for {peer}")
    if "node" in j["engines"]:
        check(engines["node"]["inproc"] > 0, "no node in-process time")
        check(j["ratios"]["calls"]["node"]["ratio"] > 0, "no node ratio")
        check(j["summary"]["node"]["programs"] == 1, "node summary does not count one program")
    if "binaryen" in j["engines"]:  # 1 s is far too little for bench(): capped, a lower bound
        b = j["ratios"]["calls"]["binaryen"]
        check(b["capped"] is True and b["at_least"] > 0, f"binaryen not capped at 1 s: {b}")
        check(j["summary"]["binaryen"]["capped"] == ["calls"], "binaryen's capped list is not [calls]")
    load = j["load"]
    check(load.get("bytes", 0) >= 200000, f"generated module of {load.get('bytes')} bytes, expected >= 200000")
    check(load["warden"]["mb_per_s"] > 0 and load["warden"]["peak_rss_kib"] > 0, "no warden load figures")
    check(load["warden"]["instantiate_s"] > 0, "no warden instantiate time for the generated module")
    sk = load.get("warden_skewed", {})
    check(sk.get("largest") == 0.5 and sk.get("bytes", 0) >= 200000 and sk.get("mb_per_s", 0) > 0,
          f"no warden load figures for the skewed module: {sk}")
    check(sk.get("module", "").endswith("generated-200000-largest0.5.wasm"), f"skewed module {sk.get('module')}")
    check("| warden, skewed module (one function 50% of the code;" in md, "no skewed-module row")
    small = j["small_module"]
    check(small["warden"]["process_s"] > 0 and small["warden"]["instantiate_s"] > 0, "no start-up figures")
    check(md.startswith("before\n<!-- bench:begin -->\n") and md.endswith("<!-- bench:end -->\nafter\n"),
          "--markdown did not keep the text around the markers")
    check("OLD TABLE" not in md and "| calls |" in md and "--quick" in md, "--markdown did not write the table")
    check("### Issue 11's targets against this run" in md, "no targets section")
    check(j.get("peers") == [p for p in ("wabt", "wabt-npm", "binaryen", "node") if p in j["engines"]],
          f"peers {j.get('peers')} are not the engines found")

    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
