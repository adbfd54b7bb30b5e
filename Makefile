# One command surface: make run, make test, make lint, make bench, make dist.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The oldest PySide6 the program supports (the 6.8 LTS line; 6.8.0.2 is also the newest
# wheel for arm64 with glibc 2.31, as on Kylin V10): the window tests run on it too.
QT_OLDEST := 6.8.0.2
VENV_OLDEST := .venv-qt$(QT_OLDEST)
OLDEST_STAMP := $(VENV_OLDEST)/.installed-test

# Debian packages Qt (xcb platform), the headless tests and PDF rendering need;
# LibreOffice Calc prints every export in a test (one page across), mpack reads the .eml.
APT_PACKAGES := libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xfixes0 libxcb-xkb1 \
	libwayland-cursor0 libdbus-1-3 xvfb xauth poppler-utils \
	libreoffice-calc-nogui mpack postgresql openssl

.PHONY: run test lint format typecheck bench dist deb system-packages clean translations

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(OLDEST_STAMP): pyproject.toml
	test -x $(VENV_OLDEST)/bin/python || $(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/python -m pip install -q --upgrade pip
	$(VENV_OLDEST)/bin/python -m pip install -q -e '.[test]'
	$(VENV_OLDEST)/bin/python -m pip install -q --no-deps PySide6-Essentials==$(QT_OLDEST) \
		PySide6-Addons==$(QT_OLDEST) shiboken6==$(QT_OLDEST) 2>&1 | grep -v "dependency" || true
	$(VENV_OLDEST)/bin/python -c "import PySide6, sys; sys.exit(PySide6.__version__ != '$(QT_OLDEST)')"
	touch $@

# Installs the Debian packages when run as root on Debian/Ubuntu; otherwise says
# what is missing and carries on (the offscreen tests need only the libraries).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "安装系统软件包:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else echo "缺少系统软件包(请以 root 安装):$$missing"; fi; \
	fi

run: $(STAMP) system-packages
	$(PY) -m safecredit_desktop.gui.launch_demo

# The second pass (issue 19): the core suite and the CLI tests on PostgreSQL. Every test
# whose database comes from the ``db_path``/``new_db``/``module_new_db``/``session``
# fixtures runs on a throwaway server (tests/pg_server.py, started by the session fixture
# from the distribution's packages and stopped at the end, also when tests fail); the
# tests that use no database of the engine under test, the ``sqlite_only`` ones (file
# modes, PRAGMAs, WAL, a kill mid-write — the marker says why) and the PostgreSQL-only
# ones (first pass) are left out (tests/conftest.py). README: which, and the time.
PG_TESTS := tests/core tests/test_cli_print.py tests/test_cli_revision2.py tests/test_cli_workflows.py

# The import tests again with every import planned by the worker process (issue 20; the
# first pass sends only workbooks of 1 MB or more there; test_import_parallel.py compares
# the two paths itself).
WORKER_TESTS := tests/core/test_import.py tests/core/test_import_bad.py tests/core/test_import_limits.py tests/core/test_import_calamine.py tests/core/test_durability_safety.py tests/gui/test_import_dialog.py

test: $(TEST_STAMP) $(OLDEST_STAMP) system-packages
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	QT_QPA_PLATFORM=offscreen SAFECREDIT_IMPORT_WORKER=always $(PY) -m pytest $(WORKER_TESTS)
	QT_QPA_PLATFORM=offscreen SAFECREDIT_TEST_ENGINE=postgresql $(PY) -m pytest $(PG_TESTS)
	@echo "窗口测试（最旧支持的 PySide6 $(QT_OLDEST)）："
	QT_QPA_PLATFORM=offscreen $(VENV_OLDEST)/bin/python -m pytest tests/gui

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check safecredit_desktop tests bench
	$(VENV)/bin/ruff format --check safecredit_desktop tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(TEST_STAMP)
	$(VENV)/bin/ruff format safecredit_desktop tests bench
	$(VENV)/bin/ruff check --fix safecredit_desktop tests bench

typecheck: $(TEST_STAMP)
	$(VENV)/bin/mypy

# The window's Qt translation files (resources/i18n): pyside6-lupdate over the gui
# package, then pyside6-lrelease. Run after adding or changing window text; commit both.
translations: $(STAMP)
	$(PY) resources/i18n/build.py

bench: $(STAMP)
	$(PY) bench/run.py

dist: $(STAMP) system-packages
	$(PY) -m pip install -q -e '.[dist]'
	$(VENV)/bin/pyinstaller --noconfirm --clean pyinstaller.spec
	$(PY) tests/bundle_smoke.py dist/SafeCredit-$$($(PY) -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")

# A .deb of the bundle for 信创 desktops (UOS, Kylin) and Debian; as root it is installed,
# smoke-tested through the PATH and removed again (resources/packaging/build_deb.py).
deb: dist
	$(PY) resources/packaging/build_deb.py dist/SafeCredit-$$($(PY) -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])") \
		$$([ "$$(id -u)" = 0 ] && command -v dpkg >/dev/null && echo --check)

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
