# Two commands set everything up on a fresh machine:
#   make run   - .venv, install, demo warehouse if none exists, start the app on :8501
#   make test  - .venv, install with dev deps, Debian chromium if missing, every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench install warehouse chromium lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

warehouse: install
	$(BIN)/cxdash demo --if-missing

run: warehouse
	@echo "Starting the dashboard on http://localhost:$(PORT)"
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# Browser tests drive Debian's chromium; never `playwright install` (no internet here).
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: install chromium
	$(BIN)/pytest

bench: install
	$(BIN)/pytest -m bench -o addopts="" --timeout 0 -s tests/bench

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
