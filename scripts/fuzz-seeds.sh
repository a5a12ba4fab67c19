# shellcheck shell=bash
# scripts/fuzz-seeds.sh: where a fuzz target's seeds come from. Sourced by
# scripts/fuzz and .clusterfuzzlite/build.sh, so that local fuzzing and the
# OSS-Fuzz build start from the same inputs.
#
# Seeds of target T: CORPORA/T/ (hand-written, or minimised by
# `scripts/fuzz --merge`), CORPORA/regressions/T/ (every input that ever
# failed), and for the binary and text targets the official testsuite's
# modules, extracted at build or run time (never checked in; absent on
# OSS-Fuzz, where only the checked-in seeds exist).

# fuzz_extract_testsuite EXTRACT_CORPUS TESTSUITE_DIR OUT
# Writes the testsuite's modules to OUT/binary/*.wasm and its quote modules
# and scripts under 64 KiB to OUT/text/, once per OUT (OUT/.done). Does
# nothing when TESTSUITE_DIR is empty or missing.
fuzz_extract_testsuite() {
  local extract="$1" testsuite="$2" out="$3"
  [[ -n "$testsuite" && -d "$testsuite" && ! -f "$out/.done" ]] || return 0
  echo "[fuzz] extracting testsuite modules into $out" >&2
  rm -rf "$out"
  mkdir -p "$out/binary" "$out/text"
  "$extract" "$out/all" "$testsuite"/*.wast >&2 || true
  find "$out/all" -name '*.wasm' -exec mv {} "$out/binary/" \;
  find "$out/all" -name '*.wat' -exec mv {} "$out/text/" \;
  # Whole scripts are text seeds too (the target parses scripts).
  find "$testsuite" -name '*.wast' -size -64k -exec cp {} "$out/text/" \;
  rm -rf "$out/all"
  touch "$out/.done"
}

# fuzz_seed_dirs CORPORA TESTSUITE_SEEDS TARGET
# Prints the directories (that exist) to read TARGET's seeds from;
# TESTSUITE_SEEDS is fuzz_extract_testsuite's OUT (may be missing).
fuzz_seed_dirs() {
  local corpora="$1" ts="$2" t="$3" dirs=()
  [[ -d "$corpora/$t" ]] && dirs+=("$corpora/$t")
  [[ -d "$corpora/regressions/$t" ]] && dirs+=("$corpora/regressions/$t")
  case "$t" in
    decode_validate | binary_mutate | signature) [[ -d "$ts/binary" ]] && dirs+=("$ts/binary") ;;
    text) [[ -d "$ts/text" ]] && dirs+=("$ts/text") ;;
  esac
  echo "${dirs[@]}"
}
