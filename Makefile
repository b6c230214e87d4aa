# Metodist — the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: demo test lint types layers check deploy-check pytest browser-deps lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime dependencies, reinstalled only when the lock file changes.
$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	touch $@ $(VENV)/.base-installed

## demo: set up the environment, load the demo municipality and serve it on http://127.0.0.1:$(PORT)
## (web server, task worker and periodic work together; Ctrl-C stops all three)
demo: $(VENV)/.base-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_seed
	DEBUG=$${DEBUG:-0} $(BIN)/python manage.py demo_serve 127.0.0.1:$(PORT)

## test: lint, types, import layers, Django checks, migrations check, production collectstatic and
## check --deploy, and the whole test suite (PostgreSQL when DATABASE_URL is set)
test: $(VENV)/.dev-installed browser-deps lint types layers check deploy-check pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## types: mypy with django-stubs (strict for core and jobs; pyproject.toml lists the old modules' exceptions)
types: $(VENV)/.dev-installed
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/mypy metodist

## layers: import-linter — core below every app, no cycles between apps (pyproject.toml)
layers: $(VENV)/.dev-installed
	$(BIN)/lint-imports

check: $(VENV)/.dev-installed
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

## deploy-check: production `collectstatic` (into a temporary folder) and `check --deploy`, failing on any warning
deploy-check: $(VENV)/.base-installed
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export DJANGO_SETTINGS_MODULE=config.settings.production STATIC_ROOT="$$tmp" ALLOWED_HOSTS=metodist.example.org \
		SECRET_KEY=deploy-check-not-a-real-secret-key-0123456789abcdefghijklmnop && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	$(BIN)/python manage.py check --deploy --fail-level WARNING && \
	$(BIN)/gunicorn --check-config -c config/gunicorn.conf.py config.wsgi

# The test settings, whatever DJANGO_SETTINGS_MODULE the Makefile exports for the demo (pytest-django
# prefers the environment over pyproject.toml).
pytest: $(VENV)/.dev-installed
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; \
	fi

## lock: re-resolve requirements/*.in into pinned, hashed lock files
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --python-version 3.11 --generate-hashes --no-header requirements/base.in -o requirements/base.lock
	$(BIN)/uv pip compile --quiet --python-version 3.11 --generate-hashes --no-header requirements/dev.in -o requirements/dev.lock

## bench: region-scale benchmarks on PostgreSQL (see bench/README.md)
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
