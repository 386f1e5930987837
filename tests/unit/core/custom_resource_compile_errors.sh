#!/usr/bin/env bash
# Compiles custom_resource_compile_errors.cc once as valid code, then once per case, expecting the
# case's error message. Usage: custom_resource_compile_errors.sh CXX INCLUDE_DIR...
set -u
cxx=$1
shift
src=$(cd "$(dirname "$0")" && pwd)/custom_resource_compile_errors.cc
flags=(-std=c++20 -fsyntax-only)
for dir in "$@"; do flags+=(-I "$dir"); done
failures=0

if output=$("$cxx" "${flags[@]}" "$src" 2>&1); then
  echo "ok   valid declarations compile"
else
  echo "FAIL valid declarations do not compile:"
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
expect_error CASE_DUPLICATE_NAME "KUBE_FIELDS: two members have the same JSON name"
expect_error CASE_NO_JSON "KUBE_FIELDS: a member's type has no JSON support"
expect_error CASE_NO_SCHEMA "kube::derive: no schema for this member type"
expect_error CASE_TOO_MANY_SHORT_NAMES "too_many_entries_for_a_custom_resource_info_list"
exit $((failures > 0))
