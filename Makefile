# CLAMTEX Portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
SCALE ?= 1.0
export DJANGO_SETTINGS_MODULE := clamtex.settings

.DEFAULT_GOAL := help
.PHONY: help install run web worker beat migrate messages demo test test-fast lint fmt check bench clean serve smoke backup-check vendor screenshots

# Settings are production unless DJANGO_DEBUG=1: the development targets say so themselves
# (and so do their prerequisites). migrate and messages keep a DJANGO_DEBUG set by the caller.
run demo test lint bench: export DJANGO_DEBUG := 1
migrate messages: export DJANGO_DEBUG ?= 1

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

messages: install ## Compile the translations (pure Python, no gettext needed)
	$(PY) manage.py compile_translations

demo: migrate ## Load the CLAMTEX demo (idempotent)
	$(PY) manage.py seed_demo

run: migrate messages demo ## Web server, Celery worker and beat together; Ctrl-C stops all
	@mkdir -p var/celery/queue var/celery/processed var/celery/control
	@echo "Portal on http://$(HOST):$(PORT)/  (demo password: clamtex-demo)"
	@# honcho runs web, worker and beat from Procfile.dev and stops all three on Ctrl-C.
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) PORT=$(PORT) \
		SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" \
		$(VENV)/bin/honcho -f Procfile.dev start

test: install messages ## Run the whole test suite (PostgreSQL when DATABASE_URL is set)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install ## ruff check, ruff format --check, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

fmt: install ## Format and fix the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install messages ## Pages (wrk) and jobs at SCALE (1.0 = 100,000 members) on PostgreSQL + Redis
	@# docs/performance.md: BENCH_DATABASE_URL (default clamtex_bench on the local server),
	@# REDIS_URL, BENCH_SECONDS, BENCH_ROUNDS. Writes var/bench/results.json.
	SCALE=$(SCALE) $(PY) -m benchmarks.bench

serve: install ## Production on this machine: migrate, collectstatic, then gunicorn + Celery worker + beat
	@# Needs the production environment (.env.example): DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
	@# DATABASE_URL, REDIS_URL, SITE_URL, EMAIL_*. WEB_CONCURRENCY, GUNICORN_* tune gunicorn.
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py compile_translations
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py collectstatic --noinput
	@rm -rf var/prometheus && mkdir -p var/prometheus
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DJANGO_DEBUG=$${DJANGO_DEBUG:-0} HOST=$(HOST) PORT=$(PORT) \
		PROMETHEUS_MULTIPROC_DIR="$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/var/prometheus}" \
		$(VENV)/bin/honcho -f Procfile start

smoke: install ## Production smoke test: gunicorn on PostgreSQL + Redis, real login, headers
	$(PY) scripts/smoke.py

backup-check: install ## Dump the PostgreSQL database, restore it into a new one, compare
	scripts/backup_check.sh

vendor: ## Refresh static/vendor/ from the npm registry (pinned versions, VERSIONS file)
	$(PYTHON) scripts/vendor_static.py

screenshots: install ## Pictures of each role's main page (desktop, phone) into docs/screenshots/
	$(PY) scripts/screenshots.py

clean: ## Remove the virtualenv and local data (SQLite file, queue, cache)
	rm -rf $(VENV) var
