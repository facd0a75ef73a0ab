# The two commands a reader needs: `make html` builds the book, `make test` runs the
# checks. Both set themselves up (system packages when run as root, a virtual environment
# from pinned requirements). Everything here delegates to tox, tools/ or bookcheck.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The checker runs from the source tree, in the tools venv as in every tox environment.
BOOKCHECK := PYTHONPATH=src $(PY) -m bookcheck
TOX := $(VENV)/bin/tox
BOOTSTRAP_PYTHON ?= python3
RESULTS := .results
SOURCE_DIR := doc/sphinx/source
HTML_DIR := doc/sphinx/build/html
SPHINXOPTS ?= -W --keep-going -n
# Which tox environments to run (ENVS=py311-debug,py311-release): by default every one
# whose interpreter this machine has. The others are listed as skipped.
FIND_ENVS := envs="$${ENVS:-}"; skipped=""; \
	if [ -z "$$envs" ]; then \
	  envs=$$($(BOOTSTRAP_PYTHON) tools/interpreters.py --available); \
	  skipped=$$($(BOOTSTRAP_PYTHON) tools/interpreters.py --all-names | tr , '\n' \
	    | grep -vxF -f <(tr , '\n' <<< "$$envs") | paste -sd, || true); \
	fi

TEST_PACKAGES := gcc make python3-venv python3-dev python3.11-dbg valgrind
DOC_PACKAGES := doxygen python3-venv graphviz
# What building CPython from source needs: a compiler, dpkg-dev for `apt-get source`, and
# the libraries of the standard modules the book's sessions use (ssl for pip, zlib, ...).
BUILD_PACKAGES := gcc make pkg-config dpkg-dev libssl-dev zlib1g-dev libffi-dev libbz2-dev \
	liblzma-dev libreadline-dev libsqlite3-dev uuid-dev

.PHONY: help html test bless bless-check pythons python identify bench clean system-test system-docs

help:
	@echo "make html      build the book into $(HTML_DIR)"
	@echo "make test      check every transcript on every interpreter this machine has"
	@echo "make bless     rewrite the expected output of failing transcript blocks"
	@echo "make pythons   list the interpreters found for each tox environment"
	@echo "make python VERSION=3.11.2 VARIANT=debug   build a CPython variant"
	@echo "make identify ENV=py311-debug              print what an interpreter is"
	@echo "make bench     time the checks against the bare sessions"

$(VENV)/.installed: requirements/tools.txt requirements/docs.txt
	test -x $(PY) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/tools.txt
	touch $@

system-test:
	@tools/system_packages.sh $(TEST_PACKAGES)

system-docs:
	@tools/system_packages.sh $(DOC_PACKAGES)

html: system-docs $(VENV)/.installed
	$(PY) -m sphinx -b html $(SPHINXOPTS) $(SOURCE_DIR) $(HTML_DIR)
	@echo "The book is in $(HTML_DIR)/index.html"

test: system-test $(VENV)/.installed
	$(PY) -m pytest tests -q
	@$(FIND_ENVS); test -n "$$envs" || { echo "no interpreter found: see 'make pythons'"; exit 1; }; \
	echo "checking on: $$envs"; status=0; \
	for env in $${envs//,/ }; do rm -f $(RESULTS)/$$env.json $(RESULTS)/$$env.junit.xml; done; \
	$(TOX) run-parallel -e "$$envs" -p auto --parallel-no-spinner || status=$$?; \
	$(BOOKCHECK) matrix --envs "$$envs" --skipped "$$skipped" || status=1; \
	exit $$status

bless: system-test $(VENV)/.installed
	@$(FIND_ENVS); echo "checking on: $$envs"; \
	$(TOX) run-parallel -e "$$envs" -p auto --parallel-no-spinner > /dev/null || true; \
	$(BOOKCHECK) --results $(RESULTS) bless

bless-check: $(VENV)/.installed
	$(BOOKCHECK) bless --check

pythons:
	@$(BOOTSTRAP_PYTHON) tools/interpreters.py --list

python:
	@test -n "$(VERSION)" -a -n "$(VARIANT)" || { echo "usage: make python VERSION=3.11.2 VARIANT=debug [SOURCE=tarball]"; exit 2; }
	@tools/system_packages.sh $(BUILD_PACKAGES)
	$(BOOTSTRAP_PYTHON) tools/build_python.py --version $(VERSION) --variant $(VARIANT) $(if $(SOURCE),--source $(SOURCE))

identify:
	@python=$$($(BOOTSTRAP_PYTHON) tools/interpreters.py $(or $(ENV),py311-debug)) && \
	PYTHONPATH=src $${python} -m bookcheck identify

bench: $(VENV)/.installed
	@$(FIND_ENVS); $(PY) tools/bench.py --envs "$$envs"

clean:
	rm -rf doc/sphinx/build doc/sphinx/doxygen .cache $(RESULTS) .tox
