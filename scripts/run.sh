#!/usr/bin/env bash
# `make run`: migrate, seed the demo organization (only into an empty database), start one
# background worker (mail, imports, events), serve the app on one port (pages, websocket,
# /api), say how to sign in once it is up, and stop the worker with the app.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false

PORT="${PORT:-3000}"
export CRM_BASE_URL="${CRM_BASE_URL:-http://localhost:${PORT}}"
# The newcomer's machine: development mode lists sent mail at /dev/mailbox for browsers on
# this machine only. CRM_DEV_MODE=0 turns it off; CRM_SMTP_URL always does.
export CRM_DEV_MODE="${CRM_DEV_MODE:-1}"

python -m crm_app.cli migrate
python -m crm_app.cli seed-demo

# The worker runs beside the app and stops with it (Ctrl-C reaches both; the trap covers
# the app exiting on its own).
python -m crm_app.cli worker --workers 2 &
WORKER_PID=$!
trap 'kill -TERM "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true' EXIT

echo "Building the front end and starting the server on port ${PORT} (the first build takes 1-2 minutes)..."

# Announce the URL once the server answers; the server itself stays in the foreground.
(
  for _ in $(seq 1 900); do
    if python - "$PORT" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/ping", timeout=2)
PY
      cat <<MSG

  ────────────────────────────────────────────────────────────────────────
  Agent CRM is running:  ${CRM_BASE_URL}

  Sign in at ${CRM_BASE_URL}/login with the demo owner  owner@clinic.example
  and press "Send code". Without SMTP configured, mail is not sent: the email
  with the 6-digit code is printed below in this console (by the worker), and listed on the
  development mailbox ${CRM_BASE_URL}/dev/mailbox (from this machine only).
  New organizations sign up at ${CRM_BASE_URL}/signup.  Stop with Ctrl-C.
  ────────────────────────────────────────────────────────────────────────

MSG
      exit 0
    fi
    sleep 1
  done
) &

# Reflex's setup chatter (its `uv pip install` hint, npm mirror probes) is not for our users;
# warnings and errors still show.
reflex run --env prod --single-port --backend-port "$PORT" --loglevel warning
