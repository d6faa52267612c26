#!/usr/bin/env bash
# `make package`: the one-folder bundle dist/imapp/ (PyInstaller, packaging/imapp.spec). Installs
# the `package` extra (PyInstaller) into .venv first; `make setup` has built the .qm files.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["package"]))' > .venv/requirements-package.txt
.venv/bin/python -m pip install -q -r .venv/requirements-package.txt
rm -rf dist/imapp
.venv/bin/python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/imapp.spec
ln -sf imapp-desktop dist/imapp/imapp  # the command line: the same program, started as `imapp`
echo "built dist/imapp/ ($(du -sh dist/imapp | cut -f1)): dist/imapp/imapp-desktop, dist/imapp/imapp"
