#!/usr/bin/env bash
# Proves what a header refuses at compile time: compiles SOURCE once as is (it must compile), then
# once per case with -DCASE, expecting PATTERN in the compiler's errors.
# Usage: expect_compile_errors.sh SOURCE CXX [-I DIR]... -- CASE=PATTERN...
set -u
src=$1
cxx=$2
shift 2
flags=(-std=c++20 -fsyntax-only)
while (($#)) && [[ $1 != -- ]]; do
  flags+=("$1")
  shift
done
shift  # --
failures=0

if output=$("$cxx" "${flags[@]}" "$src" 2>&1); then
  echo "ok   $(basename "$src") compiles"
else
  echo "FAIL $(basename "$src") does not compile:"
  echo "$output" | head -20
  failures=$((failures + 1))
fi

for case_pattern in "$@"; do
  case=${case_pattern%%=*}
  pattern=${case_pattern#*=}
  if output=$("$cxx" "${flags[@]}" -D"$case" "$src" 2>&1); then
    echo "FAIL $case compiled"
    failures=$((failures + 1))
  elif grep -qF -- "$pattern" <<<"$output"; then
    echo "ok   $case: $pattern"
  else
    echo "FAIL $case: expected '$pattern' in:"
    echo "$output" | head -20
    failures=$((failures + 1))
  fi
done
exit $((failures > 0))
