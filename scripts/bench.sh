#!/usr/bin/env bash
# `make bench [BENCH_ARGS="COUNT RUNS"]`: the benchmark suite in bench/ (figures are
# printed, never asserted). bench/run_all.sh drives it; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false
if [ -f bench/run_all.sh ]; then
  exec bash bench/run_all.sh "$@"
fi
echo "No benchmarks in bench/ yet (bench/run_all.sh is missing)."
