#!/usr/bin/env bash
# The whole check: ruff, mypy, the import contract, then pytest offscreen with a real Secret Service keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu --log-level=3"
export PYTHONDONTWRITEBYTECODE=1
export IMAPP_REQUIRE_KEYRING=1  # tests/test_environment.py fails rather than skips without it
PY=.venv/bin/python

echo "== ruff"
$PY -m ruff check appstore tests bench scripts main.py
echo "== mypy"
$PY -m mypy
echo "== import contract"
# The layers of docs/architecture.md (pyproject.toml, [tool.importlinter]): what may import what
.venv/bin/lint-imports --no-cache
echo "== bundle"
# The one-folder bundle from this tree (about a minute), so tests/test_bundle.py runs the bundled
# app as a user without Python would; IMAPP_TEST_BUNDLE=0 skips it for a quicker local run.
if [ "${IMAPP_TEST_BUNDLE:-1}" != 0 ]; then
    bash scripts/package.sh
fi
echo "== pytest"
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    # A private session bus with an unlocked keyring, gone when the tests end. The daemon gets a
    # HOME of its own: with the real one it would open (or create) the login keyring of whoever
    # runs the tests.
    KEYRING_HOME=$(mktemp -d "${TMPDIR:-/tmp}/imapp-test-keyring.XXXXXX")
    trap 'rm -rf "$KEYRING_HOME"' EXIT
    export KEYRING_HOME
    dbus-run-session -- bash -c \
        'eval "$(printf imapp-test | HOME="$KEYRING_HOME" XDG_DATA_HOME="$KEYRING_HOME/share" gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; exec .venv/bin/python -m pytest "$@"' \
        pytest "$@"
else
    echo "note: dbus-run-session or gnome-keyring-daemon missing: keyring tests will skip" >&2
    exec $PY -m pytest "$@"
fi
