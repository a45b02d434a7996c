# Two entry points: `make run` (proxy + bundled dev upstream, python3 only) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench soak clean

$(BIN)/modproxy: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/modproxy
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,train]'
	touch $@

run: $(BIN)/modproxy
	$(BIN)/modproxy serve --dev --policies policies

lint: $(VENV)/.test-deps
	$(BIN)/ruff check proxy tests bench
	$(BIN)/ruff format --check proxy tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Five minutes of mixed load against `modproxy serve`, memory sampled (a 25 s version runs in `make test`).
soak: $(VENV)/.test-deps
	SOAK_SECONDS=300 $(BIN)/pytest tests/test_soak.py -q -s

bench: $(VENV)/.test-deps
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
