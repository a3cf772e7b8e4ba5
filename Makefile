# Anju: `make run` serves the demo, `make test` runs the suite (PostgreSQL + Redis when they
# answer, and SQLite). Everything the project needs is installed from this repository's files.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_URL ?= postgres://postgres@127.0.0.1:5432/anju
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test bench lint format install frontend browser ldap-deps services messages web worker beat clean

$(VENV)/.installed: pyproject.toml | ldap-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The process designer's browser bundle (esbuild; built, never committed).
DESIGNER_BUILD := webapp/designer/static/designer/build/.built
$(DESIGNER_BUILD): node_modules/.installed $(shell find webapp/designer/frontend -type f 2>/dev/null)
	npm run --silent build
	touch $@

install: $(VENV)/.installed node_modules/.installed $(DESIGNER_BUILD)

frontend: node_modules/.installed $(DESIGNER_BUILD)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py anju_setup
	@echo "Anju is serving on http://127.0.0.1:8000  (log in with a demo login above; Ctrl-C stops)"
	$(PY) manage.py anju_run 127.0.0.1:8000

# Debian's Chromium for the Playwright browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	   (apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null)) || \
	  { echo "could not install chromium: run 'apt-get install chromium' as root"; exit 1; }; }

# Debian's OpenLDAP and SASL headers (python-ldap builds from source), slapd and ldap-utils for the
# directory-login tests (they start their own slapd). slapd is installed unconfigured and not started.
ldap-deps:
	@test -f /usr/include/ldap.h -a -f /usr/include/sasl/sasl.h -a -x /usr/sbin/slapd -a -x /usr/bin/ldapadd || { \
	  echo "installing Debian's libldap2-dev libsasl2-dev slapd ldap-utils for directory login"; \
	  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections 2>/dev/null; \
	  own_policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then own_policy=1; \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d 2>/dev/null && chmod +x /usr/sbin/policy-rc.d; fi; \
	  pkgs="libldap2-dev libsasl2-dev slapd ldap-utils"; export DEBIAN_FRONTEND=noninteractive; \
	  (apt-get install -y -q --no-install-recommends $$pkgs >/dev/null 2>&1 || \
	   (apt-get update >/dev/null && apt-get install -y -q --no-install-recommends $$pkgs >/dev/null)); ok=$$?; \
	  if [ -n "$$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  if [ $$ok -ne 0 ]; then echo "could not install them: run 'apt-get install $$pkgs' as root"; exit 1; fi; \
	  if [ -d /run/systemd/system ]; then systemctl disable --now slapd >/dev/null 2>&1 || true; fi; }

# Start PostgreSQL and Redis if they are installed but down (as on CI and a fresh session).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	  (command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start) || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || \
	  (command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null) || true
	@sleep 1

# Both runs, each on TEST_WORKERS cores with its wall time and test count (tests/run_suite.sh).
TEST_WORKERS ?= 2
test: install browser services lint
	@PY=$(PY) PG_URL=$(PG_URL) REDIS_TEST_URL=$(REDIS_TEST_URL) TEST_WORKERS=$(TEST_WORKERS) \
	  PYTEST_ARGS="$(PYTEST_ARGS)" bash tests/run_suite.sh

# bench.complaint: the engine against SpiffWorkflow alone; bench.sla: one SLA sweep over 1,000,000
# open tasks; bench.movein: a batch of 300 rooms × 10 defects, defect steps and the inbox at batch start
# and end; bench.migration: a dry run and a bulk migration of 1,000 waiting complaints; bench.repair:
# repairs hotline → closed through the engine and the 维修统计 page over 100,000 closed repairs
# bench.billing: a monthly billing run of 20,000 rooms × 4 fee items; bench.inbox: GET /api/tasks/ and the
# inbox page at 50,000 and 1,000,000 open tasks (SQLite: 50,000); bench.load: complaints through HTTP
# (Locust) against gunicorn + Celery on PostgreSQL + Redis at 1/4/16 users (bench/README.md says what each measures).
bench: install services
	@if pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "=== benchmark on PostgreSQL ==="; \
	  DATABASE_URL=$(PG_URL) $(PY) -m bench.complaint $(BENCH_ARGS) && \
	  echo "=== SLA sweep benchmark on PostgreSQL ===" && DATABASE_URL=$(PG_URL) $(PY) -m bench.sla $(SLA_BENCH_ARGS) && \
	  echo "=== move-in benchmark on PostgreSQL ===" && DATABASE_URL=$(PG_URL) $(PY) -m bench.movein $(MOVEIN_BENCH_ARGS) && \
	  echo "=== migration benchmark on PostgreSQL ===" && DATABASE_URL=$(PG_URL) $(PY) -m bench.migration $(MIGRATION_BENCH_ARGS) && \
	  echo "=== repair benchmark on PostgreSQL ===" && DATABASE_URL=$(PG_URL) $(PY) -m bench.repair $(REPAIR_BENCH_ARGS) && \
	  echo "=== billing benchmark on PostgreSQL ===" && DATABASE_URL=$(PG_URL) $(PY) -m bench.billing $(BILLING_BENCH_ARGS) && \
	  echo "=== inbox benchmark on PostgreSQL ===" && DATABASE_URL=$(PG_URL) $(PY) -m bench.inbox $(INBOX_BENCH_ARGS) && \
	  echo "=== HTTP load benchmark (gunicorn + Celery, PostgreSQL + Redis) ===" && \
	  DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m bench.load $(LOAD_BENCH_ARGS); \
	else \
	  echo "=== PostgreSQL not reachable: benchmark on SQLite ==="; \
	  env -u DATABASE_URL $(PY) -m bench.complaint $(BENCH_ARGS) && \
	  echo "=== SLA sweep benchmark on SQLite ===" && env -u DATABASE_URL $(PY) -m bench.sla $(SLA_BENCH_ARGS) && \
	  echo "=== move-in benchmark on SQLite ===" && env -u DATABASE_URL $(PY) -m bench.movein $(MOVEIN_BENCH_ARGS) && \
	  echo "=== migration benchmark on SQLite ===" && env -u DATABASE_URL $(PY) -m bench.migration $(MIGRATION_BENCH_ARGS) && \
	  echo "=== repair benchmark on SQLite ===" && env -u DATABASE_URL $(PY) -m bench.repair $(REPAIR_BENCH_ARGS) && \
	  echo "=== billing benchmark on SQLite ===" && env -u DATABASE_URL $(PY) -m bench.billing $(BILLING_BENCH_ARGS) && \
	  echo "=== inbox benchmark on SQLite (50,000 open tasks; the goal is set for PostgreSQL at 1,000,000) ===" && \
	  env -u DATABASE_URL $(PY) -m bench.inbox $(INBOX_BENCH_ARGS) && \
	  echo "=== HTTP load benchmark skipped: it needs PostgreSQL and Redis (production mode) ==="; \
	fi

# ruff; one-way layers (import-linter contracts in pyproject.toml); types of engine/ and forms/.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans -i forms -i node_modules -i .venv -i tests -i bench -i staticfiles -i var -i webapp/realestate -i webapp/sales -i webapp/movein -i webapp/designer -i webapp/audit
	for app in webapp/realestate webapp/sales webapp/movein webapp/designer webapp/audit; do (cd $$app && ../../$(PY) ../../manage.py makemessages -l zh_Hans); done
	for po in $$(find webapp forms -name django.po); do msgfmt --check -o $${po%.po}.mo $$po; done

# Production mode, one process per command (several of each on several machines is fine):
#   export DATABASE_URL=postgres://... REDIS_URL=redis://... SECRET_KEY=... ALLOWED_HOSTS=...
web: install
	$(VENV)/bin/gunicorn webapp.wsgi --config gunicorn.conf.py --bind 0.0.0.0:8000 --workers 4 --threads 4

worker: install
	$(VENV)/bin/celery -A webapp worker -l info

beat: install
	$(VENV)/bin/celery -A webapp beat -l info -s var/celerybeat-schedule

clean:
	rm -rf $(VENV) node_modules staticfiles var/*.sqlite3
