#!/usr/bin/env bash
# After changing user-visible strings: refresh the .ts sources from the code, fill them from the
# JSON maps (add new texts there first), and compile. Fails if a text has no translation.
set -euo pipefail
cd "$(dirname "$0")/.."
T=appstore/resources/translations
.venv/bin/pyside6-lupdate appstore/ui/*.py appstore/ui/host/*.py -ts $T/imapp_zh_CN.ts -source-language en -target-language zh_CN -no-obsolete
.venv/bin/pyside6-lupdate appstore/ui/*.py appstore/ui/host/*.py -ts $T/imapp_en.ts -source-language en -target-language en -pluralonly -no-obsolete
# (an interrupted fill leaves a broken .ts: translate_ts writes to a temp file and renames)
.venv/bin/python scripts/translate_ts.py $T/imapp_zh_CN.ts $T/zh_CN.json
.venv/bin/python scripts/translate_ts.py $T/imapp_en.ts $T/en.json
for ts in $T/*.ts; do .venv/bin/pyside6-lrelease -silent "$ts" -qm "${ts%.ts}.qm"; done
