# CLAMTEX Portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
export DJANGO_SETTINGS_MODULE := clamtex.settings

.DEFAULT_GOAL := help
.PHONY: help install run web worker beat migrate messages demo test test-fast lint fmt check bench screenshots clean

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

bench: install messages ## Benchmarks: export of 100,000 members, outbox sweep over 100,000 emails
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.outbox

screenshots: install ## Pictures of each role's main page (desktop, phone) into docs/screenshots/
	$(PY) scripts/screenshots.py

clean: ## Remove the virtualenv and local data (SQLite file, queue, cache)
	rm -rf $(VENV) var
