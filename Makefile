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

.PHONY: run walk test check bench plant-bugs mutation setup setup-dev setup-test browser-deps clean

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
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy src

plant-bugs: setup-test  ## A test of the tests: plant eight known bugs, one at a time, and expect each caught
	$(BIN)/python scripts/plant_bugs.py

MODULES ?=
MUTATION_CHILDREN ?= 1
mutation: setup-dev  ## Mutation testing of the core modules, each with its own tests (docs/testing.md); MODULES=schema for one
	$(BIN)/python scripts/mutation.py --max-children $(MUTATION_CHILDREN) $(MODULES)

bench: setup-dev  ## The benchmarks behind docs/performance.md (about 25 minutes; installs wrk and nginx)
	@command -v wrk >/dev/null 2>&1 || scripts/install-wrk
	@command -v nginx >/dev/null 2>&1 || scripts/install-nginx
	$(BIN)/python benchmarks/cli_start.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/site_export.py
	$(BIN)/python benchmarks/map_limit.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/slow_clients.py
	$(BIN)/python benchmarks/long_journeys.py

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

# The browser tests drive /usr/bin/chromium exactly (tests/browser_support.py), so that is
# the file checked here: a chromium elsewhere on PATH would leave them skipped (failed in CI).
CHROMIUM := /usr/bin/chromium

browser-deps: node_modules/.package-lock.json
	@test -x $(CHROMIUM) || scripts/install-chromium
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing after scripts/install-chromium" >&2; exit 1; }
	@command -v nginx >/dev/null 2>&1 || scripts/install-nginx

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

clean:
	rm -rf $(VENV) node_modules build dist .pytest_cache .hypothesis
