#!/usr/bin/env bash
# Proves that kube::fsm refuses undeclared transitions at compile time: compiles
# transition_compile_errors.cc once as valid code, then once per case, expecting the case's error.
# Usage: transition_compile_errors.sh CXX INCLUDE_DIR...
set -u
cxx=$1
shift
src=$(cd "$(dirname "$0")" && pwd)/transition_compile_errors.cc
flags=(-std=c++20 -fsyntax-only)
for dir in "$@"; do flags+=(-I "$dir"); done
failures=0

if output=$("$cxx" "${flags[@]}" "$src" 2>&1); then
  echo "ok   declared transitions compile"
else
  echo "FAIL declared transitions do not compile:"
  echo "$output" | head -20
  failures=$((failures + 1))
fi

expect_error() {
  local case=$1 pattern=$2
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
}
expect_error CASE_UNDECLARED_EDGE "kube::fsm: transition not declared in the operator's Graph"
expect_error CASE_REVERSED_EDGE "kube::fsm: transition not declared in the operator's Graph"
expect_error CASE_UNNAMED_STATE "NamedState"
exit $((failures > 0))
