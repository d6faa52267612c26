#!/usr/bin/env bash
# Installs what `make run` and `make test` need: Debian packages (when root) and the .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fonts (Latin + CJK), a Secret Service keyring for tests, and the libraries Qt/QtWebEngine load.
DEBS="fonts-dejavu-core fonts-wqy-microhei fontconfig gnome-keyring dbus-daemon dbus-bin
libegl1 libgl1 libopengl0 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 libnss3 libnspr4
libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libasound2 libxshmfence1 libgbm1
libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
libxcb-render-util0 libxcb-image0 libxi6 libxrender1 libx11-xcb1"
# A real X server and a typist for the end-to-end test of a desktop without a keyring.
DEBS="$DEBS xvfb xdotool"
# The desktop's tools that `make install-desktop` uses and tests/test_packaging.py runs
DEBS="$DEBS xdg-utils desktop-file-utils appstream"
# strace: the DApp host's barrier test watches a host process's every connect() with it.
DEBS="$DEBS strace"
# PostgreSQL for the IA service's tests (tests/service run on SQLite and PostgreSQL; a large package).
DEBS="$DEBS postgresql"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing=""
    for p in $DEBS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if ! python3 -c 'import ensurepip' 2>/dev/null; then missing="$missing python3-venv"; fi
    if [ -n "$missing" ]; then
        echo "setup: installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
fi

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    # The dependencies (with the test extras) from pyproject.toml, then a plain .pth that puts
    # this checkout on the path: an editable install's import hook costs every start ~15 ms.
    .venv/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > .venv/requirements.txt
    .venv/bin/python -m pip install -q -r .venv/requirements.txt
    .venv/bin/python -m pip uninstall -q -y appstore 2>/dev/null || true
    site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    pwd > "$site/imapp-checkout.pth"
    touch "$stamp"
fi

# Compiled translations (.qm) are built from the .ts sources, never committed.
for ts in appstore/resources/translations/*.ts; do
    qm="${ts%.ts}.qm"
    if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then
        .venv/bin/pyside6-lrelease -silent "$ts" -qm "$qm"
    fi
done
