#!/usr/bin/env python3
"""The explanation step of scripts/conformance (scripts/conformance_explain.py)
on small hand-made matrices, and --check-rules on broken rule tables: no
engine runs. ctest: conformance.explain."""
import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import conformance_explain as explain  # noqa: E402

ENGINES = [("warden", "Warden"), ("binaryen", "Binaryen wasm-shell")]


def rules_file(rules):
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"rules": rules}, f)
    f.close()
    return f.name


def no_source(file, line):
    return ""


def failure(line, command, message, after=None):
    fl = {"line": line, "command": command, "message": message}
    if after is not None:
        fl["after_failed_module"] = after
    return fl


def engine_result(failures, not_run=0, could_not_run=None):
    return {"passed": 1, "failed": len(failures), "not_run": not_run, "could_not_run": could_not_run,
            "failures": failures}


RULES = [
    {"id": "text-nan", "engine": "binaryen", "category": "harness", "message": "bad nan input",
     "why": "w"},
    {"id": "folded", "engine": "binaryen", "category": "harness", "command": "module",
     "message": "expected list", "why": "w"},
    {"id": "bug", "engine": "binaryen", "category": "peer-bug", "catalogue": "binaryen-108-lax-leb128",
     "file": "binary\\.wast", "lines": [10], "why": "w"},
    {"id": "cascade", "engine": "binaryen", "category": "harness", "after_failed_module": True,
     "cascade": True, "why": "w"},
    {"id": "never-reported", "engine": "binaryen", "kind": "not_run", "category": "harness",
     "file": "names\\.wast", "why": "w"},
]


class Explain(unittest.TestCase):
    def setUp(self):
        self.rules = explain.load_rules(rules_file(RULES))

    def test_first_matching_rule_cascades_and_unexplained(self):
        matrix = {
            "f32.wast": {"engines": {"binaryen": engine_result([
                failure(5, "assert_return", "[parse exception: bad nan input]"),
                failure(7, "assert_return", "seen 1, expected 2")])}},
            "br.wast": {"engines": {"binaryen": engine_result([
                failure(3, "module", "[parse exception: expected list (at 9:4)]"),
                failure(30, "assert_return", "killed by signal 11", after=3),
                failure(31, "assert_return", "killed by signal 11", after=3)])}},
            "binary.wast": {"engines": {"binaryen": engine_result([
                failure(10, "assert_malformed", "[should have been invalid]"),
                failure(11, "assert_malformed", "[should have been invalid]")]),
                "warden": engine_result([failure(11, "assert_malformed", "expected malformed, got valid")])}},
            "names.wast": {"engines": {"binaryen": engine_result([], not_run=3)}},
        }
        b = explain.explain_matrix(self.rules, matrix, ["warden", "binaryen"], no_source)
        rb = b["binaryen"]["rules"]
        self.assertEqual(rb["text-nan"], {"failed": 1, "cascade": 0, "not_run": 0, "could_not_run": 0})
        # The two commands after the failed module count under its rule.
        self.assertEqual(rb["folded"], {"failed": 1, "cascade": 2, "not_run": 0, "could_not_run": 0})
        self.assertEqual(rb["bug"]["failed"], 1)
        self.assertEqual(rb["never-reported"]["not_run"], 3)
        self.assertEqual(rb[explain.UNEXPLAINED]["failed"], 2)  # f32.wast:7, binary.wast:11
        self.assertEqual([u[:3] for u in b["binaryen"]["unexplained"]],
                         [("binary.wast", "failed", 11), ("f32.wast", "failed", 7)])
        # No rule is about Warden: its failure is unexplained.
        self.assertEqual(b["warden"]["rules"][explain.UNEXPLAINED]["failed"], 1)
        self.assertEqual(explain.total_unexplained(b), 3)
        self.assertEqual(matrix["br.wast"]["engines"]["binaryen"]["failures"][1]["explanation"], "folded")
        self.assertTrue(matrix["br.wast"]["engines"]["binaryen"]["failures"][1]["cascade"])

    def test_cascade_after_an_unexplained_module_is_unexplained(self):
        matrix = {"x.wast": {"engines": {"binaryen": engine_result([
            failure(3, "module", "Fatal: something new"),
            failure(9, "invoke", "killed by signal 11", after=3)])}}}
        b = explain.explain_matrix(self.rules, matrix, ["binaryen"], no_source)
        self.assertEqual(b["binaryen"]["rules"][explain.UNEXPLAINED],
                         {"failed": 1, "cascade": 1, "not_run": 0, "could_not_run": 0})

    def test_source_matches_the_commands_text(self):
        rules = explain.load_rules(rules_file([
            {"id": "sep", "engine": "binaryen", "category": "harness", "message": "^seen ",
             "source": "[0-9]_[0-9]", "why": "w"}]))
        text = {5: "(assert_return (invoke \"f\" (i32.const 1_000)) (i32.const 1000))", 6: "(i32.const 7)"}
        matrix = {"i32.wast": {"engines": {"binaryen": engine_result([
            failure(5, "assert_return", "seen 1, expected 1000"),
            failure(6, "assert_return", "seen 1, expected 7")])}}}
        b = explain.explain_matrix(rules, matrix, ["binaryen"], lambda f, l: text.get(l, ""))
        self.assertEqual(b["binaryen"]["rules"]["sep"]["failed"], 1)
        self.assertEqual(b["binaryen"]["rules"][explain.UNEXPLAINED]["failed"], 1)

    def test_bad_tables_are_refused(self):
        bad = [
            ([{"id": "a", "engine": "wabt", "category": "harness", "message": "(", "why": "w"}], "regex"),
            ([{"id": "a", "engine": "wabt", "category": "peer-bug", "why": "w"}], "catalogue"),
            ([{"id": "a", "engine": "wabt", "category": "harness", "catalogue": "x", "why": "w"}], "catalogue"),
            ([{"id": "a", "engine": "wabt", "category": "bug", "why": "w"}], "category"),
            ([{"id": "a", "engine": "wabt", "category": "harness", "why": "w"}] * 2, "twice"),
            ([{"id": "a", "engine": "wabt", "category": "harness", "why": "w", "cascade": True}], "cascade"),
            ([{"id": "a", "engine": "wabt", "category": "harness", "why": "w", "mesage": "x"}], "unknown keys"),
        ]
        for rules, words in bad:
            with self.assertRaises(explain.RuleError) as e:
                explain.load_rules(rules_file(rules))
            self.assertIn(words, str(e.exception))


class CheckRules(unittest.TestCase):
    """check_rules against a catalogue and a report written by md_section."""

    def report(self, rules, matrix):
        loaded = explain.load_rules(rules_file(rules))
        b = explain.explain_matrix(loaded, matrix, ["binaryen"], no_source)
        totals = ["| engine | passed | failed | not run | files that could not run |",
                  "|---|---:|---:|---:|---:|",
                  "| Binaryen wasm-shell | 1 | %d | %d | 0 |" % (
                      sum(r["engines"]["binaryen"]["failed"] for r in matrix.values()),
                      sum(r["engines"]["binaryen"]["not_run"] for r in matrix.values()))]
        md = totals + [""] + explain.md_section(loaded, b, ENGINES[1:], lambda s: s)
        md.append("unexplained: %d" % explain.total_unexplained(b))
        f = tempfile.NamedTemporaryFile("w", suffix=".md", delete=False)
        f.write("\n".join(md) + "\n")
        f.close()
        return f.name

    def catalogue(self):
        f = tempfile.NamedTemporaryFile("w", suffix=".md", delete=False)
        f.write("# bugs\n\n### binaryen-108-lax-leb128\n- text\n")
        f.close()
        return f.name

    def test_a_good_table_passes_and_each_defect_is_named(self):
        matrix = {"binary.wast": {"engines": {"binaryen": engine_result([
            failure(10, "assert_malformed", "[should have been invalid]")])}}}
        good = [RULES[2]]
        md = self.report(good, matrix)
        self.assertEqual(explain.check_rules(rules_file(good), self.catalogue(), md, ENGINES[1:]), [])

        missing = [dict(RULES[2], catalogue="binaryen-108-no-such-bug")]
        catalogue = self.catalogue()
        problems = explain.check_rules(rules_file(missing), catalogue, md, ENGINES[1:])
        self.assertEqual(problems, ["rule bug: catalogue entry binaryen-108-no-such-bug is not in %s" % catalogue])

        unused = good + [RULES[0]]
        problems = explain.check_rules(rules_file(unused), self.catalogue(), md, ENGINES[1:])
        self.assertEqual(len(problems), 1)
        self.assertIn("rule text-nan matched nothing", problems[0])
        marked = good + [dict(RULES[0], unmatched_ok="kept for wasm-shell 109")]
        self.assertEqual(explain.check_rules(rules_file(marked), self.catalogue(), md, ENGINES[1:]), [])

    def test_an_unexplained_report_fails(self):
        matrix = {"f32.wast": {"engines": {"binaryen": engine_result([
            failure(7, "assert_return", "seen 1, expected 2")])}}}
        md = self.report([RULES[2]], matrix)
        problems = explain.check_rules(rules_file([dict(RULES[2], unmatched_ok="x")]), self.catalogue(), md,
                                       ENGINES[1:])
        self.assertIn("has 1 unexplained", " ".join(problems))
        self.assertIn("no line \"unexplained: 0\"", " ".join(problems))


if __name__ == "__main__":
    unittest.main()
