# The README's two commands: `make run` (embedded stack with demo data) and `make test`.
# Both work on a fresh machine that has only Python 3.11: the first call creates .venv.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the dependencies change; a second `make run` reuses the venv.
STAMP := $(VENV)/.installed
# System packages (Pango, a CJK font) are checked once per venv.
SYSDEPS := $(VENV)/.system-deps
SYSDEPS_TEST := $(VENV)/.system-deps-test
PYTEST_ARGS ?=

.PHONY: run test lint clean-data venv

run: $(STAMP) $(SYSDEPS)
	$(BIN)/python devstack.py

# Lint first: ruff and mypy clean is part of "the tests pass".
test: lint $(SYSDEPS_TEST)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Python >= 3.11 is required (found: '$(PYTHON)'); install python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

$(SYSDEPS): scripts/system-deps.sh | $(STAMP)
	bash scripts/system-deps.sh
	touch $@

$(SYSDEPS_TEST): scripts/system-deps.sh | $(STAMP)
	bash scripts/system-deps.sh --test
	touch $@

# Removes the application database, the dev server's state (var/temporal.db: its workflows
# refer to rows of the application database) and the demo keys; `make run` recreates them.
clean-data:
	rm -f var/*.db var/*.db-shm var/*.db-wal var/demo-keys.json
