# 首站 Shouzhan — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# The checkout's own secret key, written once (settings refuse to start without one when DEBUG is off):
# every command make runs reads it unless SHOUZHAN_SECRET_KEY is set. Production sets its own (README).
KEY := var/secret_key
export SHOUZHAN_SECRET_KEY_FILE ?= $(CURDIR)/$(KEY)
PG_URL ?= postgres://postgres@127.0.0.1:5432/shouzhan
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-sqlite test-postgres lint format bench mutation sysdeps install migrate demo messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

$(KEY):
	@mkdir -p $(dir $@)
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The platform's own time-stamping authority (assets): a root CA and a TSA certificate made once, never
# replaced (tokens already issued depend on them).
TSA := var/tsa/keys/tsa.crt
$(TSA): | $(STAMP) $(KEY)
	$(PY) manage.py assets_tsa_init

install: $(STAMP) $(KEY) $(TSA)

# Debian packages the tests and exports need: Chromium (browser tests), a CJK font (PDFs and
# screenshots), Pango (weasyprint), gettext (translations), a JDK (Spark), poppler (pdftotext, the
# bulletin's tests), ffmpeg and fpcalc (the assets' video and audio fingerprints), openssl (the assets' time-stamping
# authority). Installed only when missing.
sysdeps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v fpcalc >/dev/null || missing="$$missing libchromaprint-tools"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0

demo: migrate
	$(VENV)/bin/shouzhan demo

# The site and, beside it, the background worker (deadline reminders and overdue alerts);
# stopping `make run` stops both.
run: sysdeps demo
	@echo "首站 Shouzhan → http://$(HOST):$(PORT)/"
	@$(PY) manage.py cases_schedule
	@$(PY) manage.py offers_schedule
	@$(PY) manage.py frontline_daily
	@$(PY) manage.py patrols_load
	@$(PY) manage.py patrols_daily
	@$(PY) manage.py insight_schedule
	@$(PY) manage.py assets_daily
	@$(PY) manage.py db_worker --interval 5 --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SHOUZHAN_DEBUG=$${SHOUZHAN_DEBUG:-0} $(PY) manage.py runserver $(HOST):$(PORT)

# The site as production serves it (deploy/serve.py): migrations, static files collected for WhiteNoise,
# gunicorn with WEB_CONCURRENCY workers (default 2 × cores + 1) and the task worker beside it; stopping
# `make serve` stops both. Settings from the environment (README, "Production").
serve: install
	@exec $(PY) deploy/serve.py --bind "$${SHOUZHAN_BIND:-$(HOST):$(PORT)}"

lint: install
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/ruff format --check src tests bench tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix src tests bench tools
	$(VENV)/bin/ruff format src tests bench tools

# The whole suite on SQLite, then again on PostgreSQL when one is reachable (DATABASE_URL or the
# local server): constraints, locking and concurrency are proven there.
test: install sysdeps lint test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL $(VENV)/bin/pytest -q -p no:cacheprovider

test-postgres: install
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	if $(PY) -c "import sys, psycopg; psycopg.connect(sys.argv[1].rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "PostgreSQL at $$url"; DATABASE_URL="$$url" $(VENV)/bin/pytest -q -p no:cacheprovider -m "not browser and not spark"; \
	else echo "PostgreSQL not reachable at $$url: skipping the PostgreSQL run"; fi

bench: install
	$(PY) bench/run.py

# Mutation testing (not part of `make test`; minutes, not seconds): mutmut over the five files whose tests
# must catch a wrong fen or a wrong deadline, each against the tests that cover it, in a throwaway copy
# of the tree. Prints the score per file; docs/mutation.md says how to read it. FILES="core/workdays.py"
# limits it to some files.
mutation: install
	$(PY) tools/mutation.py --survivors $(FILES)

messages: install
	cd src/shouzhan && ../../$(PY) ../../manage.py makemessages -l en --no-obsolete --ignore 'rules/*'
	cd src/shouzhan && ../../$(PY) ../../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
