#!/usr/bin/env bash
# Install what the test suite needs and run it: ruff, mypy, then pytest.
# Used by CI (.ci/run) and by developers on a fresh machine. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Debian's chromium drives the web UI tests (Playwright is pointed at /usr/bin/chromium).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# Debian's Virtuoso: tests/test_remote_store.py runs the named questions against it too (it
# installs in about 10 s and starts in about 4 s); the tests skip it where it is not installed.
if ! command -v virtuoso-t >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        virtuoso-opensource >/dev/null || echo "virtuoso-opensource not installed; its tests skip"
fi

.venv/bin/ruff check src tests tools benchmarks
.venv/bin/ruff format --check src tests tools benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
