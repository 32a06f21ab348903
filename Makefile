# ailedger — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REQUESTS ?= 200000

.PHONY: install demo test test-postgres test-spark lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Generate a realistic organization's exports, land them, build, print the headline.
demo: install
	$(BIN)/ailedger demo --requests $(REQUESTS)

## Lint, Python tests (parsers, landing, prices, demo) and the dbt integration tests.
test: install
	$(BIN)/ruff check ingest tests scripts bench
	$(BIN)/pytest -q

## The same project built on PostgreSQL 15 (a throwaway server on 127.0.0.1:55432 unless one
## answers there), its marts compared with the DuckDB build of the same data to the cent.
test-postgres: install
	BIN=$(BIN) bash scripts/pg_lane.sh

## The same project built on a local Apache Spark 4.3 (pyspark, dbt-spark's session method;
## needs Java 17), its marts compared with the DuckDB build of the same data to the cent.
test-spark: install
	BIN=$(BIN) bash scripts/spark_lane.sh

lint: install
	$(BIN)/ruff check ingest tests scripts bench

## Benchmarks print figures; they assert nothing about time.
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf target logs demo warehouse/*.duckdb .pytest_cache
