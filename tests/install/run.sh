#!/usr/bin/env bash
# Installs the built project into a temporary prefix, then configures, builds and runs a tiny
# consumer project (tests/install/consumer) that uses find_package(kube CONFIG) and kube::core.
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$source_dir/tests/install/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${launcher[@]}" >/dev/null
ninja -C "$work/build" >/dev/null
output=$("$work/build/consumer")
echo "consumer printed: $output"
expected="web 3 /apis/apps/v1/namespaces/prod/deployments?labelSelector=app%3Dweb 1"
if [[ "$output" != "$expected" ]]; then
  echo "expected: $expected"
  exit 1
fi
# The consumer compiled against the installed headers, not the source or build tree.
commands="$work/build/compile_commands.json"
grep -q "$work/prefix/include" "$commands" || { echo "consumer did not use the installed headers"; exit 1; }
if grep -q -e "$source_dir/include" -e "$build_dir/generated" "$commands"; then
  echo "consumer compiled against the source tree instead of the installed package"
  exit 1
fi
