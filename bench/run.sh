#!/usr/bin/env bash
# bench/run.sh NAME [ARGS...]: builds and runs one benchmark; its last line is one JSON object.
#   bench/run.sh decode            typed JSON decoding vs simdjson raw parse vs Boost.JSON DOM
#   bench/run.sh list              LIST of 10,000 pods: kube-cpp vs kubectl, Python, client-node
#   bench/run.sh server            kube-apiserver-lite: durable writes/s, p99, watch events/s
#   bench/run.sh controller        no-op reconciles/s through the scheduler, request-to-reconcile p99
#   bench/run.sh reflector         reflector memory for 10,000 pods (typed and compact stores) vs a client-node informer
#   bench/run.sh fsm               10,000 mooses under one kube::fsm operator vs a plain controller
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh NAME [ARGS...]}
shift
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
ninja -C build "${name}_bench" >/dev/null
if [[ ($name == list || $name == reflector) && ! -d bench/node/node_modules/@kubernetes/client-node ]] && command -v npm >/dev/null; then
  # The JavaScript peer (not committed; the npm registry is reachable).
  npm install --prefix bench/node --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
    echo "bench: could not install @kubernetes/client-node; its column will be skipped" >&2
fi
exec "build/bin/${name}_bench" "$@"
