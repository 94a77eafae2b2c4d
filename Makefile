# wbkg: the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WBKG := $(BIN)/wbkg
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test system-deps neo4j demo test lint generate package-check bench clean stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

## install: the virtualenv with wbkg and its runtime dependencies only (what `make demo` needs)
install: $(STAMP)

## install-test: the same plus the test and lint tools
install-test: $(TEST_STAMP)

## system-deps: Debian packages the browser test needs (Chromium); a no-op when present
system-deps:
	@bash scripts/system-deps.sh

## neo4j: install (Maven Central) and start the local Neo4j server, unless NEO4J_URI points elsewhere
neo4j: install
	@if [ -z "$$NEO4J_URI" ]; then $(WBKG) neo4j install && $(WBKG) neo4j start; fi

## demo: install, start Neo4j, validate and load the curated dataset, show where to look
demo: neo4j
	$(WBKG) demo

## test: the whole test suite against a real Neo4j (started by the test session if needed)
test: install-test system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

## lint: ruff, mypy and the import-linter layers contract (see pyproject.toml)
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## generate: rewrite the generated files (OWL, SHACL, Browser style and guide, README query table)
generate: install
	$(WBKG) ontology build
	$(WBKG) browser --write
	$(WBKG) query readme

## bench: speed and memory of validating, loading, querying and exporting, on a scratch server of its own;
## with SIZE=10000[,100000,...] the scale benchmark (benchmarks/scale.py): ratios against anchors per size
# (a user's config file must not point the benchmark, which wipes its database, at another server)
BENCH_ENV := WBKG_HOME=$(CURDIR)/.wbkg/bench-server WBKG_NEO4J_BOLT_PORT=19687 WBKG_NEO4J_HTTP_PORT=19474 \
	WBKG_CONFIG=$(CURDIR)/.wbkg/bench-server/no-config.toml NEO4J_URI= NEO4J_PASSWORD=
bench: install-test
	$(BENCH_ENV) $(WBKG) neo4j install
	$(BENCH_ENV) $(WBKG) neo4j start
	$(BENCH_ENV) $(BIN)/python -m $(if $(SIZE),benchmarks.scale $(SIZE),benchmarks.run); rc=$$?; \
		$(BENCH_ENV) $(WBKG) neo4j stop; exit $$rc

stop:
	-$(WBKG) neo4j stop

clean: stop
	rm -rf $(VENV) test-output
