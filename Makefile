# The two commands: `make run` (the app with demo data on http://127.0.0.1:8000) and `make test`.
# Both install what is missing and start the project-local PostGIS cluster (bin/localdb),
# unless DATABASE_URL points at an existing PostGIS server.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PACKAGES := postgresql-15-postgis-3 gdal-bin gettext chromium libreoffice-calc-nogui poppler-utils fonts-dejavu-core qgis python3-qgis faketime
HOST ?= 127.0.0.1
PORT ?= 8000
# A development installation: DEBUG is off unless asked for (config/settings.py); production sets DJANGO_DEBUG=0.
export DJANGO_DEBUG ?= 1

.PHONY: run test lint format bench setup system-packages db stop-db migrate messages static clean-db

# The front page's one-click demo sign-in is only for `make run` (config/settings.py: DEMO_LOGIN_ENABLED).
run: export DEMO_LOGIN_ENABLED ?= 1
run: setup
	$(PY) manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (demo sign-in buttons on the front page), with one job-queue worker"
	bin/serve $(HOST) $(PORT)

# Live-server threads must not keep connections, or the test database cannot be dropped at the end.
test: setup
	DATABASE_CONN_MAX_AGE=0 $(PY) -m pytest $(PYTEST_ARGS)

# ruff (lint and format, settings in pyproject.toml) and the apps' one-way dependencies (import-linter).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) bench/progress.py
	$(PY) bench/export.py
	$(PY) bench/tiles.py
	$(PY) bench/import.py
	$(PY) bench/load.py

setup: system-packages $(VENV)/.installed .venv-ogctests/.installed node_modules/.installed static db migrate messages

system-packages:
	@bin/system-packages $(SYSTEM_PACKAGES)

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# ogctests (OGC's conformance suite from PyPI) pins pytest 8, so it gets a virtualenv of its own.
.venv-ogctests/.installed: requirements-ogctests.txt
	@test -x .venv-ogctests/bin/python || $(PYTHON) -m venv .venv-ogctests
	.venv-ogctests/bin/python -m pip install --quiet -r requirements-ogctests.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static: node_modules/.installed $(VENV)/.installed
	@bin/vendor-static
	$(PY) manage.py collectstatic --no-input -v0

db:
	@if [ -z "$$DATABASE_URL" ]; then bin/localdb start; else echo "Using DATABASE_URL"; fi

stop-db:
	bin/localdb stop

migrate: db
	$(PY) manage.py migrate --no-input -v0

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=.venv-ogctests --ignore=node_modules

clean-db: stop-db
	rm -rf .data/pg .data/run
