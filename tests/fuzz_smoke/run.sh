#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target (tests/fuzz) as part of the test suite: builds the
# targets with clang in BUILD_DIR/fuzz, then fuzzes each for FUZZ_SECONDS (default 20) from the
# seed corpora. Exit 77 (ctest: skipped) when clang is not installed.
set -euo pipefail
source_dir=$1
build_dir=$2/fuzz
seconds=${FUZZ_SECONDS:-20}
if ! command -v clang++ >/dev/null; then
  echo "SKIPPED: clang++ is not installed, so the libFuzzer targets cannot be built"
  exit 77
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DKUBE_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
ninja -C "$build_dir" fuzz_json fuzz_selector fuzz_patch >/dev/null
for target in json selector patch; do
  corpus=$(mktemp -d)
  log=$(mktemp)
  cp "$source_dir/tests/fuzz/corpus/$target/"* "$corpus/"
  echo "== fuzz_$target for ${seconds}s"
  # Crashes, sanitizer reports and timeouts make libFuzzer exit non-zero (and write crash-* files
  # into the current directory): the test fails and shows the report.
  if ! "$build_dir/bin/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    tail -60 "$log"
    exit 1
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)" "$log" || true
  rm -rf "$corpus" "$log"
done
