#!/usr/bin/env bash
# ctest `spec_testsuite`: run the official testsuite and compare with the pin.
# usage: run_testsuite.sh WARDEN DEFAULT_SUITE_DIR EXPECTED.txt SKIPS.txt
# $WARDEN_TESTSUITE, when set, overrides DEFAULT_SUITE_DIR.
set -u
warden=$1 suite=${WARDEN_TESTSUITE:-$2} expected=$3 skips=$4
if [ ! -d "$suite" ]; then
  echo "SKIPPED: testsuite directory '$suite' not found" \
       "(set WARDEN_TESTSUITE or the CMake cache variable WARDEN_TESTSUITE_DIR)"
  exit 77
fi
if ! ls "$suite"/*.wast >/dev/null 2>&1; then
  echo "SKIPPED: no .wast files in '$suite'"
  exit 77
fi
exec "$warden" wast --verbose --skips "$skips" --expect "$expected" "$suite"
