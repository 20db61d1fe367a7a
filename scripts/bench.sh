#!/usr/bin/env bash
# `make bench`: run every benchmark script in bench/ (figures are printed, never asserted).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false
shopt -s nullglob
scripts=()
for f in bench/*.py; do
  case "$(basename "$f")" in _*|conftest.py) ;; *) scripts+=("$f") ;; esac
done
if [ ${#scripts[@]} -eq 0 ]; then
  echo "No benchmarks in bench/ yet (see bench/README.md)."
  exit 0
fi
for f in "${scripts[@]}"; do
  echo "== $f"
  python "$f"
done
