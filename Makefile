# Loss Functions in Neural Networks: the two commands are `make lab` and `make test`.
# Every target sets up .venv first (once; a second run with nothing changed installs nothing).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
PIP_VERSION := 26.3
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9A-Z]*.ipynb))
# The Chinese edition (same code, outputs compared too): nbval in make test and make test-colab.
ZH_NOTEBOOKS := $(sort $(wildcard notebooks/zh/[0-9A-Z]*.ipynb))
PYTEST_NOTEBOOK_FLAGS := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
# Root (as in containers) needs --allow-root; without a display, print the URL instead of opening a browser.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root) $(if $(or $(DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)
# No "Would you like to get notified about official Jupyter news?" pop-up: the setting lives in
# scripts/lab_settings/overrides.json (tests/browser/browser_lab.py starts JupyterLab the same way).
# make lab LANG=zh: the Chinese edition (notebooks/zh/) with JupyterLab's menus in Chinese
# (scripts/lab_settings_zh/). LANG is also the shell's locale (en_US.UTF-8): only zh… selects it.
ZH := $(filter zh%,$(LANG))
override LAB_FLAGS += --LabApp.app_settings_dir=$(CURDIR)/scripts/lab_settings$(if $(ZH),_zh)
# Browser tests and handouts: Debian's Chromium (installed by the target if missing) driven by Playwright.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
BROWSER_READY := $(VENV)/.browser-installed
# make test-colab: a second environment pinned to Google Colab's package set (requirements-colab.txt),
# on Python 3.13 like Colab when a working python3.13 exists (else $(PYTHON)).
COLAB_VENV := build/venv-colab
COLAB_READY := $(COLAB_VENV)/.installed
COLAB_PYTHON ?= $(firstword $(foreach p,python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13),$(if $(shell $(p) -c 'import sys' 2>/dev/null && echo ok),$(p))) $(PYTHON))

.PHONY: setup lab catalog zh-diff test lint format slides handouts student hub-links browser-setup test-browser test-colab test-portable refresh bench bench-browser lock clean

setup: $(READY)

$(READY): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0] + "; run e.g. make PYTHON=python3.11 $(MAKECMDGOALS)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/$(if $(ZH),zh/)00_start_here.ipynb $(LAB_FLAGS)

# The helpers' text in Chinese (CONTRIBUTING.md, "Chinese edition"): extract the marked strings with
# Babel, merge them into course_utils/locale/zh_CN/LC_MESSAGES/course_utils.po, compile the .mo.
catalog: setup
	$(BIN)/python scripts/catalog.py

# What a translator must follow: each stale zh cell's English then (found in git) and now, as a unified
# diff (make zh-diff [NAMES="04_regression_losses …"]; all zh notebooks by default).
zh-diff: setup
	$(BIN)/python scripts/zh_sync.py diff $(NAMES)

test: setup lint
	@start=$$(date +%s); \
	$(BIN)/python -m pytest -n 2 --dist loadscope tests $(NOTEBOOKS) $(ZH_NOTEBOOKS) $(PYTEST_NOTEBOOK_FLAGS); status=$$?; \
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

# Offline reveal.js decks in build/slides/ (class deck and instructor deck per notebook; press s for notes);
# the zh notebooks' decks, in Chinese with the course's CJK font, in build/slides/zh/.
slides: setup
	$(BIN)/python scripts/export_slides.py $(NOTEBOOKS) $(ZH_NOTEBOOKS) --output-dir build/slides

# One PDF per notebook in build/handouts/ (fragments collapsed), printed offline by Chromium; fails
# unless every page carries its slide's pictures and words (checked with poppler-utils). The zh
# decks' handouts go to build/handouts/zh/.
handouts: slides browser-setup
	$(BIN)/python scripts/handouts.py build/slides --output-dir build/handouts

# Student copies without the solutions, for a classroom hub (never overwrites a copy a learner edited;
# skips, names and finally reports with status 1 a notebook it cannot read or a copy it cannot write).
# Both editions: the zh notebooks' copies go to build/student/notebooks/zh/.
student: setup
	$(BIN)/python scripts/student_copies.py $(NOTEBOOKS) $(ZH_NOTEBOOKS) --output-dir build/student/notebooks

# nbgitpuller links for a JupyterHub: make hub-links HUB=https://hub.example.edu [REPO=https://github.com/you/fork]
# (the zh notebooks in a second table, with a Chinese heading)
hub-links: setup
	@test -n "$(HUB)" || { echo "usage: make hub-links HUB=https://hub.example.edu [REPO=https://github.com/you/fork]" >&2; exit 2; }
	$(BIN)/python scripts/hub_links.py --hub "$(HUB)" $(if $(REPO),--repo "$(REPO)") --output build/hub_links.md $(NOTEBOOKS) $(ZH_NOTEBOOKS)

browser-setup: $(BROWSER_READY)

$(BROWSER_READY): $(READY) benchmarks/requirements-browser.txt
	@test -x $(CHROMIUM) -a -x /usr/bin/pdftotext || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium poppler-utils; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements-browser.txt
	@touch $@

# Every deck offline in Chromium (all non-file requests blocked; the zh decks where no installed CJK
# font is found), then every notebook run in real JupyterLab, both editions, with every slider moved
# (prints the slider latency).
test-browser: slides browser-setup
	@start=$$(date +%s); \
	$(BIN)/python -m pytest -p no:cacheprovider -p no:xdist -v -s tests/browser/browser_decks.py tests/browser/browser_lab.py; status=$$?; \
	echo "make test-browser: $$(( $$(date +%s) - start )) s (after setup and slides)"; \
	exit $$status

$(COLAB_READY): requirements.txt requirements-colab.txt pyproject.toml
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-colab.txt
	@touch $@

# The whole suite on Colab's package set. Keras 3.13's wheel has no tests: fetch 3.15.1's loss tests.
test-colab: $(COLAB_READY)
	@start=$$(date +%s); \
	tests=$$($(COLAB_VENV)/bin/python scripts/fetch_keras_tests.py) || exit 1; \
	KERAS_LOSS_TESTS=$$tests $(COLAB_VENV)/bin/python -m pytest -n 2 --dist loadscope tests $(NOTEBOOKS) $(ZH_NOTEBOOKS) $(PYTEST_NOTEBOOK_FLAGS); status=$$?; \
	echo "make test-colab: $$(( $$(date +%s) - start )) s (after setup)"; \
	exit $$status

# Every notebook under strict nbval on the CPU paths a learner may have (oneDNN capped at AVX2 and
# SSE4.1, its custom ops on, one thread), after a probe proves each setting changes TF's arithmetic.
test-portable: setup
	@start=$$(date +%s); \
	$(BIN)/python scripts/portable.py; status=$$?; \
	echo "make test-portable: $$(( $$(date +%s) - start )) s (after setup)"; \
	exit $$status

# For maintainers: stamp the launch badges, then re-run every notebook on a fresh kernel and save its outputs.
refresh: setup
	$(BIN)/python scripts/stamp_notebooks.py $(NOTEBOOKS) $(ZH_NOTEBOOKS)
	$(BIN)/python scripts/refresh_notebooks.py $(NOTEBOOKS)

bench: setup
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Key press to new figure in real JupyterLab (headless Chromium from Debian: apt-get install chromium):
# LivePlot against interact, then every registered widget (writes docs/widget_latency.md, about 3 min);
# make bench-browser BASELINE=<git rev> also measures course_utils at that revision, side by side.
bench-browser: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements-browser.txt
	$(BIN)/python benchmarks/browser_slider_latency.py $(if $(BASELINE),--baseline $(BASELINE))

# For maintainers: pin the exact versions now installed (after changing requirements.txt).
lock: setup
	@{ echo "# Exact versions that make and CI install (pip install -r requirements.txt -c constraints.txt)."; \
	   echo "# Regenerate after changing requirements.txt: make lock"; \
	   $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# ---- Classroom: a real JupyterHub, a class measured, nbgrader assignments (docs/instructors.md) ----
# build/venv-hub runs the hub, the proxy (PyPI's configurable-http-proxy: no Node.js) and each
# user's Jupyter server with nbgitpuller and nbgrader; kernels run the course's .venv.
.PHONY: test-hub bench-hub assignments test-assignments
HUB_VENV := build/venv-hub
HUB_READY := $(HUB_VENV)/.installed
# Nothing leaves the machine: run in a network namespace with only loopback where allowed.
OFFLINE := scripts/hub/offline.sh
N ?= 10

$(HUB_READY): $(READY) benchmarks/requirements-hub.txt constraints.txt
	$(PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements-hub.txt -c constraints.txt
	@touch $@

# Student A and B on a real hub in headless Chromium: the hub-links link, a widget, an edit kept
# over an upstream update, each student's own copy (HUB_TEST_BREAK=targetpath makes it fail).
test-hub: browser-setup $(HUB_READY)
	@start=$$(date +%s); \
	$(OFFLINE) $(BIN)/python -m pytest -p no:cacheprovider -p no:xdist -v -s tests/hub/hub_e2e.py; status=$$?; \
	echo "make test-hub: $$(( $$(date +%s) - start )) s (after setup)"; \
	exit $$status

# nbgrader source notebooks in build/nbgrader/source/ (make assignments NOTEBOOKS="notebooks/04_….ipynb").
assignments: setup
	$(BIN)/python scripts/hub/assignments.py $(NOTEBOOKS) --course build/nbgrader $(if $(filter command line,$(origin NOTEBOOKS)),,--skip-empty)

# CI: generate_assignment, autograde three synthetic submissions, generate_feedback (00 and 04).
test-assignments: $(HUB_READY)
	@start=$$(date +%s); \
	$(OFFLINE) $(BIN)/python scripts/hub/grading_check.py; status=$$?; \
	echo "make test-assignments: $$(( $$(date +%s) - start )) s (after setup)"; \
	exit $$status

# N concurrent students run notebooks 00-03 through the hub; writes docs/hub_benchmark.md.
bench-hub: $(HUB_READY)
	$(OFFLINE) $(BIN)/python benchmarks/bench_hub.py --students $(N)
