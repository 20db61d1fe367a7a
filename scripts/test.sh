#!/usr/bin/env bash
# `make test`: the fast suites (unit, state, api) on every core (pytest-xdist), then the browser
# suite (real server + Chromium) in its own process. "No tests collected" (pytest exit 5)
# counts as a failure: a suite that silently runs nothing must not pass.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false

CHROMIUM="${CRM_TEST_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Chromium is missing: installing the Debian package (apt-get install -y chromium)..."
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || {
      echo "ERROR: could not install chromium with apt-get." >&2; exit 1; }
  else
    echo "ERROR: the browser tests need Chromium at $CHROMIUM." >&2
    echo "       Install it with:  sudo apt-get install -y chromium" >&2
    echo "       (or point CRM_TEST_CHROMIUM at another Chromium binary)" >&2
    exit 1
  fi
fi

names=() codes=() times=()
run_suite() {
  local name="$1"; shift
  echo
  echo "==================== $name: pytest $* ===================="
  local start=$SECONDS
  python -m pytest "$@"
  local code=$?
  names+=("$name") codes+=("$code") times+=("$((SECONDS - start))")
}

# -n auto: one pytest-xdist worker per core (each test has its own database and data dir).
run_suite "unit + state + api" tests/unit tests/state tests/api -n auto --durations=10
# A browser test that fails is run once more (timing on a loaded 2-core machine); the
# summary line still lists every rerun, so flakiness stays visible.
run_suite "browser (e2e)" tests/e2e --durations=5 --reruns 1

echo
echo "==================== test summary ===================="
failed=0
for i in "${!names[@]}"; do
  case "${codes[$i]}" in
    0) verdict="passed" ;;
    1) verdict="FAILED (some tests failed)"; failed=1 ;;
    5) verdict="FAILED (no tests were collected)"; failed=1 ;;
    *) verdict="FAILED (pytest exit ${codes[$i]})"; failed=1 ;;
  esac
  printf '  %-22s %-36s %4ss\n' "${names[$i]}" "$verdict" "${times[$i]}"
done
if [ "$failed" = 0 ]; then echo "All suites passed."; else echo "Some suites FAILED."; fi
exit "$failed"
