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

# Debian packages the tests use: chromium drives the web UI tests (Playwright is pointed at
# /usr/bin/chromium); Virtuoso is a second SPARQL store tests/store/test_remote_store.py checks the
# named questions against (it installs in about 10 s and starts in about 4 s; its tests skip
# where it cannot be installed). mimalloc is the allocator the query workers preload when it is
# installed (CQCKG_WORKER_ALLOCATOR=auto), so the tests run the server as it is deployed.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
ldconfig -p 2>/dev/null | grep -q libmimalloc || missing+=(libmimalloc2.0)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    for package in "${missing[@]}"; do
        flags=(-y -qq)
        [ "$package" = chromium ] || flags+=(--no-install-recommends)
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install "${flags[@]}" "$package" >/dev/null \
            || echo "$package could not be installed; tests needing it skip"
    done
fi

.venv/bin/ruff check src tests tools benchmarks
.venv/bin/ruff format --check src tests tools benchmarks
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest "$@"
