# Two commands set everything up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(not ((3,11) <= sys.version_info[:2] <= (3,12)))' && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# one thread per worker process: the engine holds the GIL, and more threads only
# contended for it (bench/http.py: gthread 2x1 served the most, 2x4 a third less)
THREADS ?= 1
export SXZK_DATABASE ?= $(CURDIR)/instance/sxzk.sqlite3

.PHONY: run test lint bench demo sysdeps venv clean messages

$(STAMP): requirements.txt setup.cfg
	@test -n "$(PYTHON)" || { echo "need Python 3.11 or 3.12 (durable-rules does not import on 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . || $(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# System packages: a CJK TrueType font for the PDF form and the console, poppler for tests that
# render the PDF, Debian's chromium for the console's browser tests, jq for the guides.
sysdeps:
	@missing=""; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v gcc >/dev/null || missing="$$missing gcc"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v jq >/dev/null || missing="$$missing jq"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "please install:$$missing (needs root)"; exit 1; fi; \
	fi

run: sysdeps $(STAMP)
	$(BIN)/sxzk init-db
	$(BIN)/sxzk credentials load fixtures/demo_credentials.yaml
	$(BIN)/sxzk demo load
	$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --worker-class gthread --threads $(THREADS) --bind $(HOST):$(PORT) --access-logfile - \
	  --logger-class service.web.access_log.RedactingLogger \
	  --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms' 'service.app:create_app()'

# A fresh demo database for `make run` (the guides start here): the database and its blob folder are
# removed; `make run` then creates them and loads the demo credentials and candidates again.
demo:
	@test "$${SXZK_ENV:-development}" != production || { echo "make demo removes the database: not with SXZK_ENV=production"; exit 1; }
	rm -f "$(SXZK_DATABASE)" "$(SXZK_DATABASE)-wal" "$(SXZK_DATABASE)-shm"
	rm -rf "$${SXZK_BLOB_DIR:-$(CURDIR)/instance/blobs}"

test: sysdeps $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# Message catalogues (docs/api-contract.md): extract the message ids, merge them into each locale's
# messages.po (translate what is new there: every id in zh, the ids written in Chinese in en), compile
# the .mo files the service reads.
# tests/test_messages.py fails while a message is untranslated or the catalogue is stale.
TRANSLATIONS := service/translations
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output --omit-header -w 120 --project sxzk -F babel.cfg \
	  $$($(BIN)/python -c 'from service.translations import KEYWORDS; print(" ".join("-k " + k for k in KEYWORDS))') \
	  -o $(TRANSLATIONS)/messages.pot service
	for l in zh en; do $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -w 120 \
	  -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$l || exit 1; done
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

lint: $(STAMP)
	$(BIN)/ruff check service tests bench
	$(BIN)/lint-imports

bench: sysdeps $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
