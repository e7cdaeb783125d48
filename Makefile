# Alliance: `make run` sets up and runs the service with demo data; `make test` runs every check.
# Both build their own virtual environment (.venv), front-end assets and database on first use;
# later runs only redo what changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python 3.12 or newer: take the first one this machine has.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.13 /usr/bin/python3.13 /usr/bin/python3.12; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p || echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PYTEST_WORKERS ?= 2

.PHONY: help run test check lint format typecheck contracts unit postgres browser install assets bench differential clean

help:
	@echo "make run    set up and run the service on http://localhost:8000 with demo data"
	@echo "make test   run every check: lint, types, import contracts, tests (SQLite and PostgreSQL), browser journeys"
	@echo "make bench  run the benchmarks in bench/ and write bench/results/"
	@echo "make differential  compare every rule with the DfE's open-source validators (bench/differential)"

$(BIN)/uv:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6). Install python3.13 and try again." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --compile-bytecode --python $(BIN)/python --quiet
	@touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/VERSION: node_modules/.installed scripts/build-assets.mjs $(wildcard src/alliance/common/assets/*)
	node scripts/build-assets.mjs

assets: static/dist/VERSION

run: install assets
	$(BIN)/alliance manage migrate --no-input
	$(BIN)/alliance load-reference --if-changed
	$(BIN)/alliance demo
	$(BIN)/alliance serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

check: lint typecheck contracts

# The whole suite on SQLite (the embedded default), then the service's tests again on PostgreSQL.
unit: install assets
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" -p no:cacheprovider

postgres: install assets
	scripts/with-postgres.sh $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" -p no:cacheprovider tests/alliance

browser: install assets
	scripts/ensure-chromium.sh
	$(BIN)/pytest -m browser -p no:cacheprovider

test: check unit postgres browser

bench: install assets
	$(BIN)/python bench/run_all.py

# Rule-by-rule comparison with the DfE's open-source validators, installed from PyPI into a
# virtual environment of their own (var/differential/peers); fails on a difference that
# docs/statutory/known-differences.csv does not list. See bench/differential/README.md.
DIFFERENTIAL_CHILDREN ?= 2000
differential: install
	$(BIN)/python bench/differential/run.py --children $(DIFFERENTIAL_CHILDREN)

clean:
	rm -rf $(VENV) node_modules static/dist var/staticfiles
