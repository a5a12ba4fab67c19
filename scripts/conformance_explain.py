"""Why each engine fails a testsuite command: the explanation step of
scripts/conformance (docs/conformance.md, "Why the peers fail").

Every failed command, every file an engine could not run and every command
it never ran gets exactly one explanation: the first rule of
spec-tests/peer-explanations.json that matches it. A rule names an engine and
matches on the file, the command kind, the line, the engine's own message
(a regular expression) and whether the command follows a module the engine
failed; it gives a category, an id and a one-line why:

  peer-bug         a bug of that peer version; `catalogue` names its entry
                   in differential/peer-bugs.md
  missing-feature  a named feature or proposal the peer version lacks
  harness          a named limitation of the peer's script runner (its text
                   reader, its assertions, its registration of modules) or
                   of this script's way of driving it
  budget           not run because this run's --deadline stopped it

What no rule matches is *unexplained*: a new peer bug to catalogue, a new
limitation to name, or (for Warden) a bug of Warden's.
Python 3 standard library only.
"""
import json
import os
import re

CATEGORIES = ["peer-bug", "missing-feature", "harness", "budget"]
KINDS = ["failed", "could_not_run", "not_run"]
RULE_KEYS = {"id", "engine", "category", "catalogue", "kind", "file", "command", "lines",
             "message", "source", "after_failed_module", "cascade", "why", "unmatched_ok"}
UNEXPLAINED = "unexplained"


class RuleError(Exception):
    pass


def load_rules(path):
    with open(path) as f:
        doc = json.load(f)
    rules = doc["rules"]
    ids = set()
    for r in rules:
        unknown = set(r) - RULE_KEYS
        if unknown:
            raise RuleError("rule %s: unknown keys %s" % (r.get("id"), sorted(unknown)))
        for key in ("id", "engine", "category", "why"):
            if not r.get(key):
                raise RuleError("rule %s: no %s" % (r.get("id"), key))
        if r["id"] in ids:
            raise RuleError("rule %s: the id is given twice" % r["id"])
        ids.add(r["id"])
        if r["category"] not in CATEGORIES:
            raise RuleError("rule %s: category %r is not one of %s" % (r["id"], r["category"], CATEGORIES))
        if r.get("cascade") and (r.get("kind", "failed") != "failed" or r.get("after_failed_module") is not True):
            raise RuleError("rule %s: a cascade rule is about failed commands after a failed module" % r["id"])
        if (r["category"] == "peer-bug") != bool(r.get("catalogue")):
            raise RuleError("rule %s: a peer-bug rule names a catalogue entry, no other does" % r["id"])
        if r.get("kind", "failed") not in KINDS:
            raise RuleError("rule %s: kind %r is not one of %s" % (r["id"], r.get("kind"), KINDS))
        compiled = {}
        for key in ("file", "command", "message", "source"):
            if key in r:
                try:
                    compiled[key] = re.compile(r[key])
                except re.error as e:
                    raise RuleError("rule %s: %s regex %r: %s" % (r["id"], key, r[key], e))
        r["_re"] = compiled
    return rules


def matches(rule, engine, kind, file, item, source):
    """item: {line, command, message, after_failed_module} (a failure), or
    {message} (a file that could not run; its reason), or {} (not run).
    source(file, line): the text of the command at that line."""
    if rule["engine"] not in ("*", engine) or rule.get("kind", "failed") != kind:
        return False
    rx = rule["_re"]
    if "file" in rx and not rx["file"].fullmatch(file):
        return False
    if "command" in rx and not rx["command"].fullmatch(item.get("command", "")):
        return False
    if "lines" in rule and item.get("line") not in rule["lines"]:
        return False
    if "message" in rx and not rx["message"].search(item.get("message", "")):
        return False
    if "after_failed_module" in rule and bool(item.get("after_failed_module")) != rule["after_failed_module"]:
        return False
    if "source" in rx and not rx["source"].search(source(file, item.get("line"))):
        return False
    return True


def explain_one(rules, engine, kind, file, item, source):
    for r in rules:
        if matches(r, engine, kind, file, item, source):
            return r
    return None


class Sources:
    """source(file, line): the text of the .wast command starting at that
    line (up to the next command), from the testsuite at `suite`."""

    def __init__(self, suite, starts):
        self.suite, self.starts, self.cache = suite, starts, {}

    def __call__(self, file, line):
        if line is None:
            return ""
        if file not in self.cache:
            try:
                with open(os.path.join(self.suite, file), "rb") as f:
                    self.cache[file] = f.read().decode("utf-8", errors="replace").split("\n")
            except OSError:
                self.cache[file] = []
        text = self.cache[file]
        later = [l for l in self.starts.get(file, []) if l > line]
        end = min(later) - 1 if later else len(text)
        return "\n".join(text[line - 1:end])


def explain_matrix(rules, matrix, engines, source):
    """Sets "explanation" on every failure (and "cascade": true on those a
    cascade rule gives the explanation of the module before them) and
    "explanations" ({kind: id}) on every result; returns the breakdown:
      {engine: {"rules": {id: {failed, cascade, not_run, could_not_run}},
                "unexplained": [(file, kind, line, command, message)]}}"""
    out = {e: {"rules": {}, "unexplained": []} for e in engines}
    for file in sorted(matrix):
        for engine in engines:
            r = matrix[file]["engines"].get(engine)
            if r is None:
                continue
            acc = out[engine]

            def count(rid, key, n, kind, line=None, command=None, message=""):
                c = acc["rules"].setdefault(rid, {"failed": 0, "cascade": 0, "not_run": 0, "could_not_run": 0})
                c[key] += n
                if rid == UNEXPLAINED:
                    acc["unexplained"].append((file, kind, line, command, message))

            found = {}
            for fl in r["failures"]:
                found[fl["line"]] = explain_one(rules, engine, "failed", file, fl, source)
            for fl in r["failures"]:
                rule = found[fl["line"]]
                fl.pop("cascade", None)
                if rule is not None and rule.get("cascade"):
                    # The command had no module of its own to act on: the
                    # module's failure explains it.
                    module = found.get(fl["after_failed_module"])
                    rule = None if module is None or module.get("cascade") else module
                    fl["cascade"] = True
                fl["explanation"] = rule["id"] if rule else UNEXPLAINED
                count(fl["explanation"], "cascade" if fl.get("cascade") else "failed", 1, "failed",
                      fl["line"], fl["command"], fl["message"])
            r["explanations"] = {}
            if r.get("could_not_run"):
                rule = explain_one(rules, engine, "could_not_run", file, {"message": r["could_not_run"]}, source)
                rid = rule["id"] if rule else UNEXPLAINED
                r["explanations"]["could_not_run"] = rid
                count(rid, "could_not_run", 1, "could_not_run", message=r["could_not_run"])
                if r["not_run"]:
                    count(rid, "not_run", r["not_run"], "not_run", message=r["could_not_run"])
            elif r["not_run"]:
                rule = explain_one(rules, engine, "not_run", file, {}, source)
                rid = rule["id"] if rule else UNEXPLAINED
                r["explanations"]["not_run"] = rid
                count(rid, "not_run", r["not_run"], "not_run",
                      message="%d commands never reported" % r["not_run"])
    return out


def total_unexplained(breakdown):
    n = 0
    for b in breakdown.values():
        c = b["rules"].get(UNEXPLAINED)
        if c:
            n += c["failed"] + c["cascade"] + c["not_run"] + c["could_not_run"]
    return n


def md_section(rules, breakdown, engine_names, md_escape):
    """Markdown lines: per engine, category x count, then rule x count."""
    by_id = {r["id"]: r for r in rules}
    md = ["## Why the peers fail", "",
          "Every failed command, every file an engine could not run and every command it "
          "never ran has exactly one explanation: the first rule of "
          "`spec-tests/peer-explanations.json` that matches it (engine, file, command kind, "
          "line, the engine's message; scripts/conformance_explain.py). Categories: "
          "*peer-bug* (an entry of differential/peer-bugs.md), *missing-feature* (a feature "
          "the peer version lacks), *harness* (a limitation of the peer's script runner or "
          "of this script's way of driving it), *budget* (stopped by `--deadline`). A "
          "failure no rule matches is *unexplained*. Columns: *failed*: failed commands the "
          "rule explains directly; *after module*: failed commands that act on a module the "
          "engine failed before them (a register, invoke or assertion with no module of its "
          "own to act on), counted under that module's rule; *not run*: commands never run "
          "or reported; *could not run*: files (their commands are counted as not run).", "",
          "Each rule's *why* was checked by hand: the failure reproduced on a minimal script "
          "through the peer's own tool (`wasm-shell` 108; `wast2json` and `spectest-interp` "
          "1.0.32), and, where the peer refused or accepted a module, the same module as a "
          "binary (`wast2json`'s) given to `wasm-opt` with the 2.0 features, which tells "
          "Binaryen's text reader (a limitation of its script runner) from its binary reader "
          "and validator (a peer bug). The regression scripts of the peer bugs found this way "
          "are in corpora/regressions/differential (differential/peer-bugs.md, \"Binaryen "
          "108: found by the conformance run\").", ""]
    for engine, name in engine_names:
        b = breakdown.get(engine)
        if b is None:
            continue
        md.append("### %s" % name)
        md.append("")
        cats = {}
        for rid, c in b["rules"].items():
            cat = by_id[rid]["category"] if rid in by_id else UNEXPLAINED
            t = cats.setdefault(cat, [0, 0, 0, 0])
            for i, key in enumerate(("failed", "cascade", "not_run", "could_not_run")):
                t[i] += c[key]
        md.append("| category | failed | after module | not run | files that could not run |")
        md.append("|---|---:|---:|---:|---:|")
        for cat in CATEGORIES + [UNEXPLAINED]:
            t = cats.get(cat, [0, 0, 0, 0])
            if cat in cats or cat == UNEXPLAINED:
                md.append("| %s | %d | %d | %d | %d |" % (cat, t[0], t[1], t[2], t[3]))
        md.append("")
        if b["rules"]:
            md.append("| rule | category | failed | after module | not run | could not run | why |")
            md.append("|---|---|---:|---:|---:|---:|---|")
            order = [r["id"] for r in rules if r["id"] in b["rules"]]
            if UNEXPLAINED in b["rules"]:
                order.append(UNEXPLAINED)
            for rid in order:
                c = b["rules"][rid]
                r = by_id.get(rid)
                why = md_escape(r["why"]) if r else "no rule matches (listed below)"
                if r and r.get("catalogue"):
                    why = "`%s`: %s" % (r["catalogue"], why)
                md.append("| `%s` | %s | %d | %d | %d | %d | %s |" % (
                    rid, r["category"] if r else UNEXPLAINED, c["failed"], c["cascade"], c["not_run"],
                    c["could_not_run"], why))
            md.append("")
        if b["unexplained"]:
            md.append("Unexplained:")
            md.append("")
            for file, kind, line, command, message in b["unexplained"]:
                where = "%s:%d: %s" % (file, line, command) if line is not None else "%s: %s" % (file, kind)
                md.append("- %s: %s" % (where, md_escape(message)[:300]))
            md.append("")
    return md


# ------------------------------------------------------- rule checking ----

BREAKDOWN_ROW = re.compile(r"^\| `(?P<id>[^`]+)` \| (?P<cat>[a-z-]+) \| (?P<f>\d+) \| (?P<a>\d+) \| (?P<n>\d+) \| (?P<c>\d+) \|")
TOTAL_ROW = re.compile(r"^\| (?P<name>[^|]+?) \| (?P<p>\d+) \| (?P<f>\d+) \| (?P<n>\d+) \| (?P<c>\d+) \|$")


def catalogue_ids(path):
    with open(path) as f:
        return {m.group(1) for m in re.finditer(r"^### (\S+)", f.read(), re.M)}


def check_rules(rules_path, catalogue_path, md_path, engine_names):
    """Problems (strings) with the rules table, checked against the
    catalogue and the last checked-in report, without running any engine:
      - each peer-bug rule names an entry of the catalogue;
      - each rule's regular expressions compile (load_rules);
      - each rule matched something in the report, or says why it may not
        (unmatched_ok); a cascade rule's matches are counted under the rule
        of the module before them (the "after module" column), so it is not
        asked;
      - the report's per-rule counts add up, per engine, to its totals, and
        it has no unexplained line."""
    problems = []
    try:
        rules = load_rules(rules_path)
    except (RuleError, ValueError, KeyError) as e:
        return ["%s: %s" % (rules_path, e)]
    ids = catalogue_ids(catalogue_path)
    for r in rules:
        if r.get("catalogue") and r["catalogue"] not in ids:
            problems.append("rule %s: catalogue entry %s is not in %s" % (r["id"], r["catalogue"],
                                                                         catalogue_path))
    with open(md_path) as f:
        lines = f.read().splitlines()
    totals = {}
    for ln in lines:
        m = TOTAL_ROW.match(ln)
        if m:
            totals[m.group("name")] = (int(m.group("f")), int(m.group("n")), int(m.group("c")))
    if "## Why the peers fail" not in lines:
        return problems + ["%s: no section \"Why the peers fail\"" % md_path]
    section = lines[lines.index("## Why the peers fail"):]
    seen = {}
    engine = None
    sums = {}
    for ln in section:
        if ln.startswith("### "):
            engine = ln[4:]
            sums[engine] = [0, 0, 0]
        m = BREAKDOWN_ROW.match(ln)
        if m and engine:
            n = (int(m.group("f")) + int(m.group("a")), int(m.group("n")), int(m.group("c")))
            seen[m.group("id")] = seen.get(m.group("id"), 0) + sum(n)
            sums[engine] = [a + b for a, b in zip(sums[engine], n)]
            if m.group("id") == UNEXPLAINED and sum(n):
                problems.append("%s: %s has %d unexplained" % (md_path, engine, sum(n)))
    for r in rules:
        if r.get("cascade"):
            continue  # what it matches is counted under the module's rule
        if not seen.get(r["id"]) and not r.get("unmatched_ok"):
            problems.append("rule %s matched nothing in %s (and has no unmatched_ok)" % (r["id"], md_path))
        if seen.get(r["id"]) and r.get("unmatched_ok"):
            problems.append("rule %s is marked unmatched_ok but matched %d in %s" % (
                r["id"], seen[r["id"]], md_path))
    for _, name in engine_names:
        if name not in totals:
            continue
        if name not in sums:
            problems.append("%s: no breakdown for %s" % (md_path, name))
            continue
        if tuple(sums[name]) != totals[name]:
            problems.append("%s: %s's rules count failed/not run/could not run %s, its totals say %s" % (
                md_path, name, tuple(sums[name]), totals[name]))
    if not any(ln.startswith("unexplained: 0") for ln in lines):
        problems.append("%s: no line \"unexplained: 0\"" % md_path)
    return problems


def default_paths(root):
    return (os.path.join(root, "spec-tests", "peer-explanations.json"),
            os.path.join(root, "differential", "peer-bugs.md"),
            os.path.join(root, "docs", "conformance.md"))
