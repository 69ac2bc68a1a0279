# The two commands of the README: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
DEMO_ARGS ?=
# Two workers (the machines have two cores); a test file stays on one worker, so the browser
# tests share one served dashboard.
TEST_ARGS ?= -n 2 --dist loadfile

.PHONY: demo test lint bench clean chromium demo-check

demo: $(VENV)/.installed
	$(BIN)/perinatal demo $(DEMO_ARGS)

test: $(VENV)/.installed-dev chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(TEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# After `make demo DEMO_ARGS=--no-serve`: the planted events and inequalities, in the browser.
demo-check: $(VENV)/.installed-dev chromium
	$(BIN)/python -m tests.dashboard.demo_check

# Every bench script, or one: `make bench NAME=ingest`. Some need the dev extra or a demo database
# (their docstrings say which); each prints its figures.
NAME ?=
bench: $(VENV)/.installed-dev
	@set -e; for script in $(if $(NAME),bench/$(NAME).py,bench/*.py); do \
		echo "== $$script"; $(BIN)/python $$script; done

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

# The dashboard's browser tests drive Debian's Chromium (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
