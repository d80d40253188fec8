# Two commands set everything up on a fresh machine:
#   make run   - .venv, install, demo warehouse if none exists, start the app on :8501
#   make test  - .venv, install with dev deps, Debian chromium if missing, every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench install warehouse sysdeps chromium catalogs lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

warehouse: install
	$(BIN)/cxdash demo --if-missing

run: warehouse sysdeps
	@echo "Starting the dashboard on http://localhost:$(PORT)"
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# Debian packages: chromium drives the browser tests and renders the PDF report (never
# `playwright install`: no internet here); fonts-noto-cjk gives static charts and the PDF
# their Chinese glyphs (the browser page does not need it); poppler-utils' pdftoppm draws
# the weekly report's first page as a PNG in tests.
sysdeps:
	@{ test -x /usr/bin/chromium && dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
		&& command -v pdftoppm >/dev/null; } || { \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		-y -qq --no-install-recommends chromium fonts-noto-cjk poppler-utils; }

chromium: sysdeps

# Translations: extract every marked string into the template, merge it into each
# catalog (new strings arrive untranslated; tests/test_i18n.py fails until translated).
catalogs: install
	$(BIN)/pybabel extract -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
		-o dashboard/locale/messages.pot dashboard pages queries
	$(BIN)/pybabel update -i dashboard/locale/messages.pot -d dashboard/locale \
		--no-fuzzy-matching --ignore-obsolete

test: install sysdeps
	$(BIN)/pytest

bench: install
	$(BIN)/pytest -m bench -o addopts="" --timeout 0 -s tests/bench

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
