#!/usr/bin/env bash
# bench/run.sh NAME [ARGS...]: builds and runs one benchmark; its last line is one JSON object.
#   bench/run.sh decode            typed JSON decoding vs simdjson raw parse vs Boost.JSON DOM
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh NAME [ARGS...]}
shift
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C build "${name}_bench" >/dev/null
exec "build/bin/${name}_bench" "$@"
