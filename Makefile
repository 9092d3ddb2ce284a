# Kaikukanta: `make demo` starts the service with the demo network; `make test` runs every test.
# `make help` lists the other targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
DEMO_ENV := KAIKUKANTA_DEBUG=1

.DEFAULT_GOAL := help
.PHONY: help demo test lint format install install-dev messages compile-messages migrations-check \
	openapi lock clean check-python bench-lists bench-card bench-stats bench-api assets

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Kaikukanta needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version)."; \
		  echo "Run: make PYTHON=python3.11 ..."; exit 1; }

$(VENV)/.base-installed: requirements/base.txt | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

install: $(VENV)/.base-installed ## Create .venv with the locked runtime dependencies

install-dev: $(VENV)/.dev-installed ## Create .venv with the locked runtime and test dependencies

compile-messages: install ## Compile the fi and sv translations (pure Python, no gettext needed)
	$(BIN)/pybabel compile --domain django --directory kaikukanta/locale --statistics

demo: install compile-messages ## Set up SQLite, load the demo network, serve at http://127.0.0.1:8000
	$(DEMO_ENV) $(MANAGE) migrate --no-input
	$(DEMO_ENV) $(MANAGE) load_demo
	@echo ""
	@echo "Kaikukanta runs at http://127.0.0.1:8000 (stop with Ctrl+C)."
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install-dev compile-messages ## Run every test (PostgreSQL when DATABASE_URL points at one)
	$(PY) -m pytest

bench-lists: install compile-messages ## Time every list page and filter on DATABASE_URL's PostgreSQL (BENCH_ARGS=--help)
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL=postgres://... to a database filled by manage.py generate_synthetic."; exit 2; }
	$(DEMO_ENV) $(PY) benchmarks/lists.py $(BENCH_ARGS)

bench-stats: install compile-messages ## Time every statistics page and export on DATABASE_URL's PostgreSQL (BENCH_ARGS=--help)
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL=postgres://... to a database filled by manage.py generate_synthetic."; exit 2; }
	$(DEMO_ENV) $(PY) benchmarks/stats.py $(BENCH_ARGS)

bench-api: install ## Check-and-record API throughput against a baseline checkout (BASELINE=dir; CARDS=, USES=; DATABASE_URL's PostgreSQL)
	$(PY) benchmarks/api.py $(BENCH_ARGS)

lint: install-dev ## Check formatting and lint with ruff, and types with mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEMO_ENV) $(BIN)/mypy

format: install-dev ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install ## Fail if a model change has no migration
	$(DEMO_ENV) $(MANAGE) makemigrations --check --dry-run

messages: install ## Collect translatable strings into the .po files (needs GNU gettext)
	$(DEMO_ENV) $(MANAGE) makemessages --locale fi --locale sv --no-obsolete --no-location \
		--ignore '.venv/*' --ignore 'var/*'

bench-card: install compile-messages ## The mobile card's first load on Slow 3G in headless Chromium: bytes and render time
	$(PY) benchmarks/card.py $(BENCH_ARGS)

openapi: install ## Write the API contract to kaikukanta/api/v1/openapi.json
	$(DEMO_ENV) $(MANAGE) export_openapi --output kaikukanta/api/v1/openapi.json

lock: install-dev ## Re-lock requirements/*.txt after editing requirements/*.in
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o dev.txt dev.in

VENDOR := kaikukanta/web/static/vendor

assets: ## Rebuild the committed front-end files in $(VENDOR) from package-lock.json (needs Node.js and npm)
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/@zxing/library/umd/index.min.js $(VENDOR)/zxing-library.min.js
	cp node_modules/@zxing/library/LICENSE $(VENDOR)/zxing-library.LICENSE

clean: ## Remove .venv and var/ (the demo database)
	rm -rf $(VENV) var
