# Developer tasks. A newcomer needs only `make run` and `make test`; see README.md.

VENV := .venv
PYTHON := $(VENV)/bin/python
# Written after a successful install; pip runs again only when pyproject.toml or
# constraints.txt is newer.
STAMP := $(VENV)/.installed
# One password for every demo account, read by load_demo.
export DEMO_PASSWORD ?= correct-horse-battery-staple
PYTEST_ARGS ?=
# The database server and everything using it run through this wrapper (see README.md).
WITH_DB := $(PYTHON) -m safeguard.embedded_pg
# The apps' layers (pyproject.toml, docs/architecture.md): `make lint` and `make test` fail
# when an app imports one above it.
LINT_IMPORTS := $(VENV)/bin/lint-imports --no-logo

.DEFAULT_GOAL := help
.PHONY: help install run test lint format lock frontend code screenshots bench loadtest

help:
	@echo "make run      start Safeguard with demo data on http://127.0.0.1:8000/ (or SITE_URL)"
	@echo "make test     run the test suite (PYTEST_ARGS='-k name' to pick tests)"
	@echo "make code     print the demo authenticator code (for the demo DSL, governor, admin)"
	@echo "make screenshots  retake the README's pictures (docs/screenshots/) from the demo school"
	@echo "make bench    generate a 10-school trust (once) and time the main pages: bench/latest.json"
	@echo "make loadtest 50 staff recording concerns for 60 s under locust, then check none was lost"
	@echo "make lint     check the code with ruff, and the apps' layers with import-linter"
	@echo "make format   fix what ruff can fix and format the code"
	@echo "make install  create $(VENV) and install the pinned dependencies"
	@echo "make lock     re-pin constraints.txt after changing pyproject.toml"
	@echo "make frontend rebuild static/govuk/ from the pinned govuk-frontend (needs npm)"

install: $(STAMP)

# $(call find_python,CANDIDATES) is shell code printing the first candidate that really runs
# and is Python 3.12+; use it as python=$$(...). Candidates that fail (a pyenv shim for a
# version that isn't selected, say) are skipped.
find_python = for candidate in $(1); do \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    echo "$$candidate"; exit 0; \
  fi; \
done; \
echo "Safeguard needs Python 3.12 or newer; install it (e.g. apt install python3.12 or pyenv install 3.12) and run make again" >&2; \
exit 1
# pyenv's installed 3.12+ versions, newest first (or oldest first with $(call pyenv_pythons)).
pyenv_pythons = $$(command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V$(1))
# The venv gets the newest Python available.
FIND_PYTHON := $(call find_python,python3.14 python3.13 python3.12 $(call pyenv_pythons,r) python3)
# Pins are made on the oldest supported Python: only it needs the backports (such as
# typing_extensions) that some packages require on older versions.
FIND_OLDEST_PYTHON := $(call find_python,python3.12 $(call pyenv_pythons) python3 python3.13 python3.14)

$(STAMP): pyproject.toml constraints.txt
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	  python=$$($(FIND_PYTHON)) || exit 1; \
	  echo "Creating $(VENV) with $$python ($$("$$python" --version 2>&1))"; \
	  rm -rf $(VENV) && "$$python" -m venv $(VENV); \
	fi
	@echo "Installing the pinned dependencies into $(VENV) (the first time takes a minute)"
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# `make run` runs this inside the wrapper, so one database server serves all of it: the web
# server and the task worker (safeguard/run_dev.py) run side by side.
# load_demo prints the demo logins, with the password taken from DEMO_PASSWORD.
define run_steps
set -e
$(PYTHON) manage.py migrate
$(PYTHON) manage.py load_demo
echo
address=$${SITE_URL#*://}
address=$${address%%/*}
echo "Safeguard is at http://$$address/: sign in with a demo login above."
echo "A worker beside it sends the e-mails and prepares the reports. Ctrl-C stops both and the database."
echo
exec $(PYTHON) -m safeguard.run_dev "$$address"
endef

# The code needs no database, but the settings insist on a DATABASE_URL.
code: install
	@DEBUG=true DATABASE_URL=$${DATABASE_URL:-postgres:///unused} $(PYTHON) manage.py demo_code

run: export DEBUG ?= true
# Links in e-mails (invitations, password resets) point here, and the site is served here:
# `make run SITE_URL=http://127.0.0.1:8080` moves both.
run: export SITE_URL ?= http://127.0.0.1:8000
run: export RUN_SCRIPT := $(run_steps)
run: install
	@exec $(WITH_DB) --data .pgdata/dev -- sh -c "$$RUN_SCRIPT"

# Playwright's sync API runs an event loop in the test's thread, where Django would
# otherwise refuse database calls.
test: export DJANGO_ALLOW_ASYNC_UNSAFE := true
# Settings refuse to load without a key unless DEBUG is on; tests run with DEBUG off.
test: export SECRET_KEY ?= test-only-insecure-key
# Production defaults redirect plain HTTP to HTTPS; the test servers speak plain HTTP.
test: export SECURE_SSL_REDIRECT ?= false
test: install
	@$(LINT_IMPORTS)
	@exec $(WITH_DB) --data .pgdata/test --fast -- $(PYTHON) -m pytest $(PYTEST_ARGS)

# The README's pictures: the browser test that takes them, writing into docs/screenshots/.
screenshots:
	@SHOTS_DIR=$(CURDIR)/docs/screenshots $(MAKE) --no-print-directory test \
	  PYTEST_ARGS="tests/browser/test_readme_screenshots.py"

# Performance (docs/performance.md): a generated trust in its own database server,
# .pgdata/bench, made the first time (about two minutes) and reused after.
# Production settings (DEBUG off), with a key that is only ever used here.
bench loadtest: export SECRET_KEY ?= bench-only-not-secret
bench: install
	@exec $(WITH_DB) --data .pgdata/bench -- sh -c "\
	  $(PYTHON) manage.py migrate -v0 && \
	  $(PYTHON) manage.py generate_trust --if-missing && \
	  $(PYTHON) bench/run.py $(BENCH_ARGS)"

loadtest: install
	@exec $(WITH_DB) --data .pgdata/bench -- sh -c "\
	  $(PYTHON) manage.py migrate -v0 && \
	  $(PYTHON) manage.py generate_trust --if-missing && \
	  $(PYTHON) bench/load.py $(LOAD_ARGS)"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(LINT_IMPORTS)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Resolve pyproject.toml afresh in a scratch venv, so the pins carry nothing left over.
lock:
	@python=$$($(FIND_OLDEST_PYTHON)) || exit 1; scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	"$$python" -m venv "$$scratch" && \
	"$$scratch/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]' && \
	{ sed -n '/^#/p' constraints.txt; \
	  "$$scratch/bin/python" -m pip freeze --exclude-editable --disable-pip-version-check; \
	} > constraints.txt.new && \
	mv constraints.txt.new constraints.txt
	@echo "constraints.txt updated; review it with git diff"

# The built files are committed, so only someone upgrading GOV.UK Frontend needs npm.
frontend:
	npm ci && npm run build
