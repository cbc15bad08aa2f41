# `make run` serves the demo; `make test` runs the whole suite. Nothing else is needed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: run test lint translations browser pdf-libs demo benchmarks clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The scheduler's compiled walk is compiled once here (seconds), not in a user's first solve.
WARM := $(PY) -c "from matching.scheduling import walk; walk.load()"

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	$(WARM)
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[test]"
	$(WARM)
	touch $@ $(RUN_STAMP)

translations:
	$(PY) -m techfest.i18n_tools compile

demo: $(RUN_STAMP) translations pdf-libs
	$(FLASK) init-db
	$(FLASK) seed-demo

run: demo
	@$(FLASK) demo-logins
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --threads 4 --bind $(HOST):$(PORT) \
		--access-logfile - wsgi:app

# Debian's chromium drives the browser tests; installed once when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$$SUDO apt-get install -y -qq chromium >/dev/null; }

# WeasyPrint subsets fonts with Debian's libharfbuzz-subset0 when it is there (half the
# PDF writing time of its fallback); installed once when missing, skipped when apt cannot.
pdf-libs:
	@ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || { \
		echo "Installing Debian's libharfbuzz-subset0 for PDF font subsetting"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		{ $$SUDO apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 || \
		  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    $$SUDO apt-get install -y -qq libharfbuzz-subset0 >/dev/null; }; } || \
		echo "libharfbuzz-subset0 not installed: PDFs still print, subsetting is slower"; }

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: $(TEST_STAMP) translations browser pdf-libs lint
	$(PY) -m pytest

benchmarks: $(TEST_STAMP) translations
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
