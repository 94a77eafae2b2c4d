# wbkg: the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WBKG := $(BIN)/wbkg
STAMP := $(VENV)/.installed

.PHONY: install system-deps neo4j demo test lint bench clean stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## install: the virtualenv with wbkg and its dependencies
install: $(STAMP)

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
test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

## bench: speed and memory of loading and querying, measured outside the tests
bench: neo4j
	$(BIN)/python benchmarks/run.py

stop:
	-$(WBKG) neo4j stop

clean: stop
	rm -rf $(VENV) test-output
