# Lodestar. `make demo` and `make test` work on a fresh Debian machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= ./lodestar-data
# Parallel test workers; browser tests run in the same run.
TEST_WORKERS ?= 2

.PHONY: demo test lint serve bench install clean format screenshot

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Debian: apt-get install python3.11 python3.11-venv)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lodestar demo --data-dir $(DATA_DIR)

serve: $(STAMP)
	$(BIN)/lodestar serve --data-dir $(DATA_DIR)

test: $(STAMP)
	LODESTAR_DATA_DIR=$(CURDIR)/.test-data DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	LODESTAR_DATA_DIR=$(CURDIR)/.test-data $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

screenshot: $(STAMP)
	$(BIN)/python scripts/screenshot.py

clean:
	rm -rf $(VENV) .test-data *.egg-info src/*.egg-info
