# Every check of the collection, each one target; `make test` runs them all.
# Everything installs itself: a fresh clone needs only python3 (3.11) and make.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# ansible-test needs the path shape ansible_collections/<namespace>/<name>:
# a copy of the sources under build/, refreshed by every target that needs it.
# COLLECTIONS=/tmp/elsewhere keeps parallel runs from sharing one copy.
COLLECTIONS ?= $(CURDIR)/build/collections
VIEW := $(COLLECTIONS)/ansible_collections/hwcloud/tasks
EMULATOR := $(BIN)/python tools/with_emulator.py
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_PYTHON_INTERPRETER=$(BIN)/python \
	ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PATH=$(BIN):$$PATH

# `make integration TARGETS=vias_task_info` runs one target.
TARGETS ?=

.PHONY: help setup view demo bench test sanity units integration examples reliability molecule eda lint yamllint ruff docs docs-lint changelog ee de release test-matrix build clean

help:
	@echo "make demo   - start the API emulator and run playbooks/demo.yml"
	@echo "make test   - every check (see the test target)"
	@echo "make docs   - the documentation site, offline, in build/docs/html"
	@echo "make setup  - create .venv with the pinned development tools (idempotent)"

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python tools/seed_ansible_test_pip.py
	touch $(STAMP)

view: setup
	$(BIN)/python tools/sync_view.py $(COLLECTIONS)

demo: view
	$(ANSIBLE_ENV) $(EMULATOR) --tasks 2000 -- $(BIN)/ansible-playbook playbooks/demo.yml

test: sanity units integration examples reliability molecule eda lint yamllint ruff docs-lint docs release build
	@echo "make test: all checks passed"

sanity: view
	cd $(VIEW) && $(ANSIBLE_ENV) $(BIN)/ansible-test sanity --python 3.11 --color no

units: view
	cd $(VIEW) && $(ANSIBLE_ENV) PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest tests/unit -p no:cacheprovider -q \
		--ignore=tests/unit/plugins/modules

# Every target twice: in process on the controller (the default), then as shipped modules
# (hwcloud_tasks_in_process: false, an extra variable through integration_config.yml).
integration: view
	$(ANSIBLE_ENV) $(EMULATOR) --tasks 200 --hilens-tasks 5000 --batch-tasks 5000 \
		--integration-config $(VIEW)/tests/integration/integration_config.yml \
		-- bash -c 'cd $(VIEW) && ansible-test integration --python 3.11 --color no $(TARGETS) \
			&& echo "hwcloud_tasks_in_process: false" >> tests/integration/integration_config.yml \
			&& ansible-test integration --python 3.11 --color no $(TARGETS)'

# Every EXAMPLES block, the README's playbook and ansible-doc's rendering, against the emulator.
examples: view
	$(ANSIBLE_ENV) $(BIN)/python -m pytest tests/examples -p no:cacheprovider -q

# Every module under every emulated fault (table: tests/output/reliability/fault_matrix.md), the -vvvv
# secret scan, TLS, tokens over time, and property tests of every module option (1,000 examples each).
reliability: view
	$(ANSIBLE_ENV) PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest tests/reliability tests/unit/plugins/modules \
		-p no:cacheprovider -q

# Both roles, scenario by scenario (extensions/molecule), against the emulator.
molecule: view
	$(ANSIBLE_ENV) $(EMULATOR) --tasks 200 -- $(BIN)/molecule test --all

# The example rulebook (extensions/eda) with ansible-rulebook against the emulator: the rule fires on a
# scheduled failure and its playbook runs. Needs Java 17 (JAVA_HOME, else java on PATH).
eda: view
	$(ANSIBLE_ENV) $(BIN)/python tools/run_rulebook_check.py --collections $(COLLECTIONS)

lint: view
	cd $(VIEW) && $(ANSIBLE_ENV) $(BIN)/ansible-lint --profile production --offline

yamllint: view
	cd $(VIEW) && $(BIN)/yamllint --strict .

ruff: view
	cd $(VIEW) && $(BIN)/ruff check --no-cache --output-format concise .

# The documentation site, offline, warnings as errors: build/docs/html/index.html.
docs: view
	$(ANSIBLE_ENV) $(BIN)/python tools/build_docs.py --collections $(COLLECTIONS)

# antsibull-docs' checks of every module, filter and role documentation.
docs-lint: view
	cd $(VIEW) && $(ANSIBLE_ENV) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# A fragment for every change to plugins/ or roles/ (rule: docs/releasing.md), fragments lint,
# and a preview of the next release's changelog in build/changelog/CHANGELOG.rst.
changelog: view
	$(BIN)/python tools/check_changelog_fragments.py --preview build/changelog/CHANGELOG.rst
	cd $(VIEW) && $(ANSIBLE_ENV) $(BIN)/antsibull-changelog lint

# The build context of an execution environment with the collection in it (no image, no container engine).
ee: view
	rm -rf build/ee && mkdir -p build/ee
	cp meta/execution-environment.yml requirements.txt bindep.txt build/ee/
	$(BIN)/ansible-galaxy collection build --output-path build/ee $(VIEW)
	$(BIN)/ansible-builder create --file build/ee/execution-environment.yml --context build/ee/context \
		--output-filename Containerfile

# The build context of a decision environment (extensions/eda/decision-environment.yml) for EDA controller:
# ansible-rulebook, Java 17 and the collection, whose tarball ansible-builder's galaxy stage installs under
# the fixed name the definition gives it. No image, no container engine; tests/release runs it.
DE_DIR ?= build/de
de: view
	rm -rf $(DE_DIR) && mkdir -p $(DE_DIR)
	cp extensions/eda/decision-environment.yml $(DE_DIR)/
	$(BIN)/ansible-galaxy collection build --output-path $(DE_DIR) $(VIEW)
	mv $(DE_DIR)/hwcloud-tasks-*.tar.gz $(DE_DIR)/hwcloud-tasks.tar.gz
	$(BIN)/ansible-builder create --file $(DE_DIR)/decision-environment.yml --context $(DE_DIR)/context \
		--output-filename Containerfile

# Release checks: changelog rule and rendering, execution environment, AWX credential type, ansible-runner, guides,
# and galaxy-importer with Automation Hub's settings on the built tarball (tests/release/test_galaxy_importer.py).
release: view
	$(ANSIBLE_ENV) $(BIN)/python -m pytest tests/release -p no:cacheprovider -q

# Every supported ansible-core (2.16-2.21), each in its own venv: the adapter's unit test, the integration suite and
# the examples in both paths, and sanity of the newest. 2.20 and 2.21 need Python 3.12+: they run in a Debian 13 root
# that tools/debian_root.py makes with debootstrap (as root) under build/debian-13. Not in make test (minutes per
# release): run it before a release. `make test-matrix MATRIX_OPTIONS="--versions 2.21 --targets vias_task_info"`.
test-matrix: setup
	$(BIN)/python tools/test_matrix.py $(MATRIX_OPTIONS)

# The benchmark suite (not part of make test): ratios measured in one run, benchmarks/results/latest.md.
# Then what the consistent list reader costs on a still list, against the reader before it, in the same rounds
# (benchmarks/results/consistency.md).
bench: view
	$(ANSIBLE_ENV) $(BIN)/python benchmarks/run.py
	$(ANSIBLE_ENV) $(BIN)/python benchmarks/consistency.py

build: view
	rm -rf build/dist build/installed
	# The tarball with the changelog of its version (tools/build_collection.py; the release tests build it so too).
	$(ANSIBLE_ENV) $(BIN)/python tools/build_collection.py $(VIEW) build/dist
	# The API emulator's wheel (test tooling for users' own CI, not in the collection) beside the tarball.
	$(BIN)/python tools/build_emulator_wheel.py --dest build/dist
	$(BIN)/python tools/check_artifact.py build/dist/hwcloud-tasks-*.tar.gz
	$(BIN)/ansible-galaxy collection install --force --collections-path build/installed build/dist/hwcloud-tasks-*.tar.gz
	# The installed copy, not the sources, must load and run the demo.
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/installed $(BIN)/ansible-doc hwcloud.tasks.vias_task_info > /dev/null
	$(subst $(COLLECTIONS),$(CURDIR)/build/installed,$(ANSIBLE_ENV)) $(EMULATOR) --tasks 500 -- \
		$(BIN)/ansible-playbook playbooks/demo.yml

clean:
	rm -rf build tests/output
