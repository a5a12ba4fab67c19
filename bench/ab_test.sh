#!/usr/bin/env bash
# ctest bench.ab: bench/ab times two builds and refuses to compare builds
# whose results differ. Checks what it prints and its exit status, never speed.
#   bench/ab_test.sh BENCH_AB WARDEN PROGRAMS_DIR
set -u
ab=$1 warden=$2 progs=$3
out=$("$ab" "$warden" "$warden" calls --repeat 1 --programs-dir "$progs")
rc=$?
if [[ $rc != 0 ]] || ! grep -q "^calls  " <<<"$out" || ! grep -q "^geomean new/old over 1 programs: " <<<"$out"; then
  echo "same build twice: exit $rc, output:"$'\n'"$out"
  exit 1
fi
fake=$(mktemp)
printf '#!/bin/sh\necho i32:1\n' >"$fake"
chmod +x "$fake"
out=$("$ab" "$warden" "$fake" calls --repeat 1 --programs-dir "$progs")
rc=$?
rm -f "$fake"
if [[ $rc != 1 ]] || ! grep -q "^calls  *mismatch" <<<"$out"; then
  echo "a build with another result: exit $rc (want 1), output:"$'\n'"$out"
  exit 1
fi
echo "2 passed, 0 failed"
