"""Every visible string is translated into Chinese, and the .ts sources match the code."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "appstore" / "resources" / "translations"
LUPDATE = shutil.which("pyside6-lupdate") or str(Path(sys.executable).parent / "pyside6-lupdate")


def _messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(path).getroot()
    return {(ctx.findtext("name") or "", m.findtext("source") or ""): m
            for ctx in root.iter("context") for m in ctx.iter("message")}


def test_zh_cn_is_complete() -> None:
    messages = _messages(TS / "imapp_zh_CN.ts")
    assert len(messages) > 80
    unfinished = [src for (_, src), m in messages.items()
                  if m.find("translation").get("type") in ("unfinished", "obsolete", "vanished")  # type: ignore[union-attr]
                  or not "".join(m.find("translation").itertext()).strip()]  # type: ignore[union-attr]
    assert unfinished == []


def test_ts_sources_match_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in [*(ROOT / "appstore" / "ui").glob("*.py"),
                                      *(ROOT / "appstore" / "ui" / "host").glob("*.py")])
    subprocess.run([LUPDATE, *sources, "-ts", str(fresh)], check=True, capture_output=True)
    assert set(_messages(fresh)) == set(_messages(TS / "imapp_zh_CN.ts")), (
        "run scripts/update_translations.sh after changing visible strings")


def test_compiled_translations_exist() -> None:
    for lang in ("zh_CN", "en"):
        assert (TS / f"imapp_{lang}.qm").stat().st_size > 0
