# The two commands: `make run` and `make test`. Everything else is for developers and CI.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench bench-areas venv migrate seed clean assets

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed assets

# Browser assets (ECharts, htmx) from npm, pinned by package-lock.json, served by the app.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed

# One machine: SQLite and a filesystem broker unless DATABASE_URL / REDIS_URL are set.
# Web, worker and beat run under one process manager (Procfile), with the demo year seeded
# behind them (`seed_demo --stay`, a fourth process); Ctrl-C stops them all.
run: venv assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --no-year
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  调解案件管理系统 running at http://$(HOST):$(PORT)/   (Ctrl-C stops web, worker and beat)"
	@echo "  the demo year of cases fills in behind the server (its progress: the seed lines)"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs/ (Swagger) and /api/redoc/, served offline"
	@echo "  demo accounts, password demo-pass-2026: county_officer county_viewer county_admin"
	@echo "    town_officer town_officer_2 village_mediator village_mediator_2 grid_worker"
	@echo ""
	@HOST=$(HOST) PORT=$(PORT) $(PY) scripts/run.py --seed

# The whole suite: on PostgreSQL and Redis when they answer, else SQLite. Each run has its own
# databases (MEDIATION_DB, else one named after the run; a Redis database no other run holds),
# dropped and given back at the end, so two runs on one machine do not meet.
test: venv assets
	@own=$${MEDIATION_DB:+given}; export MEDIATION_DB=$${MEDIATION_DB:-mediation_test_$$$$}; \
	 db=$${DATABASE_URL:-$$($(PY) scripts/services.py database)}; \
	 redis=$${REDIS_URL:-$$($(PY) scripts/services.py redis)}; \
	 cleanup() { \
	   [ -n "$$REDIS_URL" ] || $(PY) scripts/services.py release "$$redis"; \
	   [ -n "$$own$$DATABASE_URL" ] || $(PY) scripts/services.py drop "$$MEDIATION_DB"; }; \
	 trap cleanup EXIT; \
	 if [ -n "$$db" ]; then echo "make test: database $$db"; export REQUIRE_POSTGRES=1; \
	 else echo "make test: PostgreSQL not reachable, using SQLite (tests needing it are skipped)"; fi; \
	 if [ -n "$$redis" ]; then echo "make test: redis $$redis"; fi; \
	 DATABASE_URL=$$db REDIS_URL=$$redis $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# DESIGN.md §12 over HTTP on PostgreSQL (see bench/README.md); BENCH_SIZES=100000 for a short run.
bench: venv assets
	@test -n "$$($(PY) scripts/services.py database)" || { echo "make bench needs PostgreSQL at 127.0.0.1:5432"; exit 1; }
	$(PY) bench/run.py $(BENCH_ARGS)

# The whole country's division list (about 665,000 areas) into a fresh database, timed.
bench-areas: venv assets
	$(PY) bench/areas.py

# A streaming replica of the local PostgreSQL on 127.0.0.1:5433 (scripts/replica.sh), for the
# `replica` tests: DATABASE_REPLICA_URL=<the printed URL> make test PYTEST_ARGS="-m replica"
.PHONY: replica
replica:
	scripts/replica.sh start
	@echo "DATABASE_REPLICA_URL=$$(scripts/replica.sh url $${MEDIATION_DB:-mediation})"

clean:
	rm -rf $(VENV) var staticfiles
