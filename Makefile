# jNO Lab developer entry points. Both are idempotent and fast once set up:
#   make lab    set everything up, then serve JupyterLab on 127.0.0.1 with the example open
#   make test   set everything up, then run the linters and the whole test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

INSTALLED := $(VENV)/.jno-lab-installed
FRONTEND_BUILT := lib/.jno-lab-built
FRONTEND_SOURCES := $(shell find src style -type f) package.json tsconfig.json
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/jno-lab
PORT ?= 8888
PYTEST_ARGS ?=

.PHONY: help setup lab test test-fast lint format browser clean

help:
	@echo "make lab    set up, then serve JupyterLab on 127.0.0.1 with the jNO Lab example open"
	@echo "make test   set up, then run linters, unit tests and browser tests"
	@echo "make setup | test-fast | lint | format | clean"

setup: $(INSTALLED) $(FRONTEND_BUILT)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The editable install builds the frontend once through hatch-jupyter-builder;
# `labextension develop` then links the build folder into the environment so
# that later frontend builds need no reinstall.
$(INSTALLED): pyproject.toml package.json yarn.lock | $(BIN)/python
	@if [ -L $(LABEXT_LINK) ]; then rm $(LABEXT_LINK); fi
	$(BIN)/python -m pip install --quiet -e ".[test]"
	jlpm install --immutable
	$(BIN)/jupyter-builder develop --overwrite . >/dev/null
	touch $@

$(FRONTEND_BUILT): $(FRONTEND_SOURCES) $(INSTALLED)
	jlpm build
	touch $@

lab: setup
	$(BIN)/jno-lab lab examples --port $(PORT)

browser:
	@bash scripts/ensure-chromium.sh

lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pyright
	jlpm lint

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	jlpm lint:fix

test: setup browser lint
	jlpm test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

clean:
	@if [ -L $(LABEXT_LINK) ]; then rm $(LABEXT_LINK); fi
	rm -rf $(VENV) node_modules lib labextension jno_lab/_version.py tsconfig.tsbuildinfo
