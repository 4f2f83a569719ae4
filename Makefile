# Everything a new machine needs, in two commands: `make run` and `make test`.
# Each target installs what it needs first, so both work on a fresh clone: `make run` a
# virtual environment in .venv with pathways and what running it needs (`pip install -e .`);
# `make test` adds the test and development tools (`.[dev]`), Debian's chromium and nginx and the npm
# packages in package-lock.json. Set PYTHON to choose the interpreter (Python 3.11 or newer).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run walk test check bench setup setup-dev setup-test browser-deps clean

run: setup  ## Serve the default pathway at http://$(HOST):$(PORT)/
	$(BIN)/pathways serve --host $(HOST) --port $(PORT)

walk: setup  ## Walk the default pathway in the terminal
	$(BIN)/pathways walk

test: setup-test  ## The whole test suite, then the content checks
	$(BIN)/pytest
	$(BIN)/pathways validate
	$(BIN)/pathways lint

check: setup-test  ## Type and style checks
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy src

bench: setup-dev  ## The benchmarks behind docs/performance.md (about 20 minutes; installs wrk)
	@command -v wrk >/dev/null 2>&1 || scripts/install-wrk
	$(BIN)/python benchmarks/cli_start.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/site_export.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/slow_clients.py

setup: $(BIN)/.installed

# What running needs: pathways and its dependencies, no test or development tools.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

setup-dev: $(BIN)/.installed-dev

# The tests' and checks' tools on top (pytest, playwright, mypy, ruff...).
$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup-test: setup-dev browser-deps

browser-deps: node_modules/.package-lock.json
	@command -v chromium >/dev/null 2>&1 || scripts/install-chromium
	@command -v nginx >/dev/null 2>&1 || scripts/install-nginx

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

clean:
	rm -rf $(VENV) node_modules build dist .pytest_cache .hypothesis
