# Two commands on a fresh machine with only Python 3.11+: `make run` and `make test`.
# `make run ARGS="--port 9090 --seed demo"` passes flags to `mockcdr serve`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
STAMP_BENCH := $(VENV)/.installed-bench
PYTEST_ARGS ?=
ARGS ?=
# pip says nothing but errors
PIP := $(BIN)/python -m pip --quiet --quiet --disable-pip-version-check

.PHONY: run test venv clean bench

$(BIN)/python:
	@echo "mockcdr: creating $(VENV) (first run only)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	@echo "mockcdr: installing into $(VENV)"
	@$(PIP) install -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	@echo "mockcdr: installing into $(VENV), with the test extras"
	@$(PIP) install -e '.[test]'
	@touch $@ $(STAMP_RUN)

venv: $(STAMP_RUN)

run: $(STAMP_RUN)
	@$(BIN)/mockcdr serve $(ARGS)

test: $(STAMP_TEST)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(STAMP_BENCH): $(STAMP_TEST)
	@$(PIP) install -e '.[test,bench]'
	@touch $@

bench: $(STAMP_BENCH)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info
