"""Fill a Qt .ts file from a JSON map of source text -> translation (a list for plural forms).

    T=appstore/resources/translations; python scripts/translate_ts.py $T/imapp_zh_CN.ts $T/zh_CN.json

Run pyside6-lupdate first (it adds new source texts); this marks every text it knows as finished
and lists the ones it does not know, so nothing user-visible stays untranslated unnoticed.
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET


def main(ts_path: str, map_path: str) -> int:
    with open(map_path, encoding="utf-8") as f:
        table = json.load(f)
    tree = ET.parse(ts_path)
    missing = []
    for msg in tree.getroot().iter("message"):
        source = msg.findtext("source") or ""
        tr = msg.find("translation")
        assert tr is not None
        value = table.get(source)
        if isinstance(value, list) and msg.get("numerus") != "yes":
            print(f"not a plural in the code (use tr(text, '', n)): {source!r}", file=sys.stderr)
            value = None
        if value is None:
            missing.append(source)
            continue
        tr.attrib.pop("type", None)
        if msg.get("numerus") == "yes":
            for child in list(tr):
                tr.remove(child)
            for form in value if isinstance(value, list) else [value]:
                ET.SubElement(tr, "numerusform").text = form
            tr.text = None
        else:
            tr.text = value
    tmp = ts_path + ".tmp"
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, ts_path)  # never leave a half-written .ts behind
    for m in missing:
        print(f"untranslated: {m!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
