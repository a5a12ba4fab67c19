#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for Warden (docs/fuzzing.md,
# "OSS-Fuzz and ClusterFuzzLite"). Run from the repository's root (the
# Dockerfile's WORKDIR), or from anywhere as .clusterfuzzlite/build.sh.
#
# Honours what OSS-Fuzz's `compile` sets:
#   CC CXX CFLAGS CXXFLAGS  the compilers and every instrumentation flag:
#                           sanitizer ($SANITIZER: address, undefined,
#                           memory, coverage) and coverage feedback
#                           (-fsanitize=fuzzer-no-link); the project adds
#                           none of its own
#   LIB_FUZZING_ENGINE      what the targets link instead of main()
#                           (-fsanitize=fuzzer for libFuzzer; a library
#                           path for AFL++ or honggfuzz)
#   FUZZING_ENGINE          libfuzzer gets binary_mutate's custom mutator
#   WORK                    the build directory lives in $WORK/warden-build
#   OUT                     receives, for every target T: T (the binary),
#                           T_seed_corpus.zip, T.dict, T.options
# and two of Warden's own, both optional:
#   WARDEN_TESTSUITE        the official testsuite (.wast files): its modules
#                           join the binary and text targets' seed corpora.
#                           Default ../shared/testsuite/wasm-2.0 beside the
#                           repository; empty: none (as on OSS-Fuzz, which
#                           has only the checked-in seeds)
#   WARDEN_COMPILER_LAUNCHER  e.g. ccache
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -f "$here/../fuzzers/CMakeLists.txt" ]]; then
  root="$(cd "$here/.." && pwd)"
else # the Dockerfile copies this script to $SRC/ and works in $SRC/warden
  root="$PWD"
fi
[[ -f "$root/fuzzers/CMakeLists.txt" ]] || {
  echo "build.sh: run from Warden's repository root" >&2
  exit 1
}
# shellcheck source=scripts/fuzz-seeds.sh
source "$root/scripts/fuzz-seeds.sh"

: "${CC:?} ${CXX:?} ${LIB_FUZZING_ENGINE:?} ${WORK:?} ${OUT:?}"
CFLAGS="${CFLAGS:-}"
CXXFLAGS="${CXXFLAGS:-}"
engine="${FUZZING_ENGINE:-libfuzzer}"
testsuite="${WARDEN_TESTSUITE-$root/../shared/testsuite/wasm-2.0}"
build="$WORK/warden-build"
mkdir -p "$OUT" "$WORK"

# A build directory configured with other compilers is started afresh
# (CMake cannot switch compilers in place), and with other $LDFLAGS (read on
# the first configure only); new flags or engine are a reconfigure.
config="$CC|$CXX|${LDFLAGS:-}"
if [[ ! -f "$build/warden-config" || "$(cat "$build/warden-config")" != "$config" ]]; then
  rm -rf "$build"
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
launcher=()
if [[ -n "${WARDEN_COMPILER_LAUNCHER:-}" ]]; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER="$WARDEN_COMPILER_LAUNCHER"
    -DCMAKE_CXX_COMPILER_LAUNCHER="$WARDEN_COMPILER_LAUNCHER")
fi
# The targets run where libsodium and libxxhash are not installed (OSS-Fuzz's
# runner image): link their static archives, as the compiler finds them,
# by presetting the cache entries CMake's searches would fill
# (FindPkgConfig's pkgcfg_lib_<prefix>_<lib>; fuzzers/CMakeLists.txt).
static_lib() {
  local path
  path="$("$CC" -print-file-name="lib$1.a")"
  [[ "$path" == /* && -f "$path" ]] || {
    echo "build.sh: no lib$1.a (the Dockerfile installs lib$1-dev)" >&2
    exit 1
  }
  echo "$path"
}
sodium="$(static_lib sodium)"
xxhash="$(static_lib xxhash)"
# Release with its flags emptied: the optimisation level and debug info are
# OSS-Fuzz's (-O1 -gline-tables-only).
cmake -S "$root" -B "$build" "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE= -DCMAKE_CXX_FLAGS_RELEASE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -Dpkgcfg_lib_SODIUM_sodium="$sodium" -DWARDEN_XXHASH_LIB="$xxhash" \
  -DWARDEN_FUZZ=ON -DWARDEN_FUZZ_ENGINE="$engine" -DWARDEN_FUZZ_ENGINE_LIB="$LIB_FUZZING_ENGINE" \
  -DWARDEN_SANITIZE=OFF -DWARDEN_TESTS=OFF -DWARDEN_WERROR=OFF >"$WORK/warden-cmake.log" ||
  {
    cat "$WORK/warden-cmake.log" >&2
    exit 1
  }
echo "$config" >"$build/warden-config"

targets=(warden_fuzz_targets)
use_testsuite=0
if [[ -n "$testsuite" && -d "$testsuite" ]]; then
  use_testsuite=1
  targets+=(extract_corpus)
fi
cmake --build "$build" --target "${targets[@]}" -j"$(nproc)"
if [[ $use_testsuite == 1 ]]; then
  fuzz_extract_testsuite "$build/fuzzers/extract_corpus" "$testsuite" "$WORK/testsuite-seeds"
fi

emitted=0
for bin in "$build"/fuzzers/fuzz_*; do
  [[ -x "$bin" ]] || continue
  t="${bin##*/fuzz_}"
  for f in "$root/corpora/$t.dict" "$root/corpora/$t.options"; do
    [[ -f "$f" ]] || {
      echo "build.sh: $t has no ${f#"$root"/}" >&2
      exit 1
    }
  done
  cp "$bin" "$OUT/$t"
  cp "$root/corpora/$t.dict" "$root/corpora/$t.options" "$OUT/"
  # A flat zip: the checked-in seeds named seed-<name> and regression-<name>
  # (copied to a staging directory: a few dozen files), the testsuite's
  # modules under their own names (<script>.<n>.wasm, <script>.wast), zipped
  # from where they are: thousands of files, one zip process.
  zip="$OUT/${t}_seed_corpus.zip"
  stage="$WORK/seeds/$t"
  rm -rf "$stage" "$zip"
  mkdir -p "$stage"
  generated=()
  # shellcheck disable=SC2046  # directories without spaces
  for d in $(fuzz_seed_dirs "$root/corpora" "$WORK/testsuite-seeds" "$t"); do
    case "$d" in
      "$root/corpora/regressions/"*) prefix=regression ;;
      "$root/corpora/"*) prefix=seed ;;
      *)
        generated+=("$d")
        continue
        ;;
    esac
    for f in "$d"/*; do
      [[ -f "$f" ]] && cp "$f" "$stage/$prefix-${f##*/}"
    done
  done
  [[ -n "$(ls -A "$stage")" ]] || {
    echo "build.sh: $t has no seeds (corpora/$t/)" >&2
    exit 1
  }
  seeds=0
  for d in "$stage" "${generated[@]}"; do
    (cd "$d" && find . -maxdepth 1 -type f -printf '%f\n' | sort | zip -q -X -@ "$zip")
    seeds=$((seeds + $(find "$d" -maxdepth 1 -type f | wc -l)))
  done
  echo "build.sh: $t: $seeds seeds" >&2
  emitted=$((emitted + 1))
done
[[ $emitted -gt 0 ]] || {
  echo "build.sh: no fuzz targets were built" >&2
  exit 1
}
