# Loss Functions in Neural Networks: the two commands are `make lab` and `make test`.
# Every target sets up .venv first (once; a second run with nothing changed installs nothing).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
PIP_VERSION := 26.3
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9A-Z]*.ipynb))
PYTEST_NOTEBOOK_FLAGS := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
# Root (as in containers) needs --allow-root; without a display, print the URL instead of opening a browser.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root) $(if $(or $(DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)

.PHONY: setup lab test lint format slides refresh bench bench-browser lock clean

setup: $(READY)

$(READY): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0] + "; run e.g. make PYTHON=python3.11 $(MAKECMDGOALS)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb $(LAB_FLAGS)

test: setup lint
	@start=$$(date +%s); \
	$(BIN)/python -m pytest -n 2 --dist loadscope tests $(NOTEBOOKS) $(PYTEST_NOTEBOOK_FLAGS); status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s (tests and notebooks, after setup)"; \
	exit $$status

# Code habits (CONTRIBUTING.md): lint and format check on code and notebooks, types on course_utils.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Apply the formatter and ruff's safe fixes (never run by make test: it rewrites files).
format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

slides: setup
	$(BIN)/python scripts/export_slides.py $(NOTEBOOKS) --output-dir build/slides

# For maintainers: stamp the launch badges, then re-run every notebook on a fresh kernel and save its outputs.
refresh: setup
	$(BIN)/python scripts/stamp_notebooks.py $(NOTEBOOKS)
	$(BIN)/python scripts/refresh_notebooks.py $(NOTEBOOKS)

bench: setup
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Key press to new figure in real JupyterLab (headless Chromium from Debian: apt-get install chromium).
bench-browser: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements-browser.txt
	$(BIN)/python benchmarks/browser_slider_latency.py

# For maintainers: pin the exact versions now installed (after changing requirements.txt).
lock: setup
	@{ echo "# Exact versions that make and CI install (pip install -r requirements.txt -c constraints.txt)."; \
	   echo "# Regenerate after changing requirements.txt: make lock"; \
	   $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
