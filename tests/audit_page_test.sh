#!/usr/bin/env bash
# ctest audit.page: `warden audit` end to end, and its page in a real browser.
#
#   tests/audit_page_test.sh WARDEN TESTSUITE_DIR SOURCE_DIR
#
# 1. A short audit (two testsuite files) writes report.json, index.html and
#    a Markdown summary; Warden's conformance counts are the pinned ones
#    (i32.wast 460 commands, br.wast 97, all passed). When the fuzz build
#    exists (SOURCE_DIR/build/fuzz, as in .ci/run), every target fuzzes for
#    2 s and each must report executions, exec/s and a coverage series.
# 2. Headless Chromium loads the page: the parsed DOM must have every section
#    and a chart in each that draws one; any console message (an error, an
#    uncaught exception) fails; the screenshot must be written.
# 3. The same check on a copy of the page with an error injected must fail,
#    so the check itself is known to catch what it claims to.
# Exit 77 (skipped) when Chromium is not installed (bash scripts/setup).
set -uo pipefail
warden=$1
suite=$2
src=$3
fuzz=(--no-fuzz)
expect_fuzz=skipped
if [[ -x $src/build/fuzz/fuzzers/fuzz_decode_validate ]]; then
  fuzz=(--fuzz-seconds 2)
  expect_fuzz=ran
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
[[ -n $chromium ]] || { echo "SKIP: chromium is not installed (bash scripts/setup)"; exit 77; }
work=$(mktemp -d /tmp/warden-audit-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$warden" audit --time 40 "${fuzz[@]}" --testsuite "$suite" --only i32.wast br.wast --seed 7 \
  --engines warden,wabt,v8 --out "$work/report" >"$work/summary.md" 2>"$work/audit.err" ||
  fail "warden audit exited $? ($(tail -3 "$work/audit.err"))"
for f in index.html report.json conformance.json diff.log; do
  [[ -s $work/report/$f ]] || fail "no $f in the report folder"
done
grep -q '^| warden | 557 | 0 | 0 |$' "$work/summary.md" || fail "warden's conformance line: $(grep '| warden' "$work/summary.md")"
grep -q '^## Differential' "$work/summary.md" || fail "no differential summary"
python3 - "$work/report/report.json" "$expect_fuzz" <<'PY' || fail "report.json"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["fuzzing"]
if sys.argv[2] == "ran":
    assert f["status"].startswith("ran"), f["status"]
    assert len(f["targets"]) == 7, f["targets"]
    for t in f["targets"]:
        assert t["execs"] > 0 and t["exec_per_s"] > 0 and t["cov"] > 0 and t["series"], t["name"]
else:
    assert f["status"] == "skipped: --no-fuzz", f
w = r["conformance"]["files"]["i32.wast"]["engines"]["warden"]
assert (w["passed"], w["failed"], w["not_run"]) == (460, 0, 0), w
assert r["conformance"]["files"]["br.wast"]["engines"]["warden"]["passed"] == 97
d = r["differential"]
assert d["status"] == "ran" and d["seed"] == 7 and d["generated"] > 0, d
assert d["unexplained_buckets"] == 0, d["buckets"]
assert set(r["verdicts"]) <= {"peer-bug", "spec-allowed", "not-reproducible"}, r["verdicts"]
assert len(r["findings"]) == sum(r["verdicts"].values())
PY

# check PAGE NAME: 0 when every section is there and the console is silent.
check() {
  local page=$1 name=$2 prof="$work/profile-$2"
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" \
    --enable-logging=stderr --v=0 --dump-dom "file://$page" >"$work/$name.dom" 2>"$work/$name.log"
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" \
    --window-size=1280,3200 --screenshot="$work/$name.png" "file://$page" >/dev/null 2>&1
  local bad=0
  if grep -q ':CONSOLE' "$work/$name.log"; then
    echo "$name: console: $(grep ':CONSOLE' "$work/$name.log" | head -3)"
    bad=1
  fi
  for id in summary conformance differential fuzzing findings reproduce; do
    grep -q "<section id=\"$id\">" "$work/$name.dom" || { echo "$name: section $id missing"; bad=1; }
  done
  [[ $(grep -o '<svg class="chart"' "$work/$name.dom" | wc -l) -ge 3 ]] || { echo "$name: fewer than 3 charts"; bad=1; }
  [[ $(stat -c %s "$work/$name.png" 2>/dev/null || echo 0) -gt 20000 ]] || { echo "$name: no screenshot"; bad=1; }
  return $bad
}

check "$work/report/index.html" page || fail "the audit page"
sed 's|</body>|<script>undefined_function()</script></body>|' "$work/report/index.html" >"$work/broken.html"
if check "$work/broken.html" broken >"$work/broken.out"; then
  fail "the check passed a page with a script error"
fi
grep -q 'console' "$work/broken.out" || fail "the broken page failed for another reason: $(cat "$work/broken.out")"
if [[ -n ${WARDEN_AUDIT_SCREENSHOT:-} ]]; then cp "$work/page.png" "$WARDEN_AUDIT_SCREENSHOT"; fi
echo "audit page: every section, no console message, screenshot $(stat -c %s "$work/page.png") bytes; broken page caught"
