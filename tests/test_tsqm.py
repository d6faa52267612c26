"""appstore/tsqm.py writes the .qm files pyside6-lrelease writes, and QTranslator reads them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from appstore.core.resources import RESOURCES
from appstore.tsqm import TsError, compile_ts, elf_hash

LRELEASE = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")

EDGES = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="{lang}" sourcelanguage="en">
<context>
    <name>Page</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open</source>
        <comment>a file</comment>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Close</source>
        <comment>lone disambiguation: dropped</comment>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Gone</source>
        <translation type="obsolete">已删除</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draft</source>
        <translation type="unfinished">草稿</translation>
    </message>
    <message numerus="yes">
        <source>%n app(s)</source>
        <translation><numerusform>%n 个应用</numerusform></translation>
    </message>
    <message>
        <source>Two
lines &amp; &lt;marks&gt; “quoted” 😀</source>
        <translation>两行 &amp; 😀</translation>
    </message>
</context>
<context>
    <name>Other</name>
    <message>
        <source>Open</source>
        <translation>开启</translation>
    </message>
    <message>
        <source></source>
        <translation>空</translation>
    </message>
</context>
</TS>
"""


def _sources() -> list[Path]:
    return sorted((RESOURCES / "translations").glob("*.ts"))


def _edges(tmp_path: Path, lang: str) -> Path:
    ts = tmp_path / f"edges_{lang}.ts"
    ts.write_text(EDGES.format(lang=lang), encoding="utf-8")
    return ts


@pytest.mark.skipif(not Path(LRELEASE).exists(), reason="pyside6-lrelease is not installed")
@pytest.mark.parametrize("which", ["shipped", "edges_zh_CN", "edges_en"])
def test_the_same_bytes_as_lrelease(tmp_path: Path, which: str) -> None:
    sources = _sources() if which == "shipped" else [_edges(tmp_path, which.split("_", 1)[1])]
    assert sources
    for ts in sources:
        ours, theirs = tmp_path / "ours.qm", tmp_path / "theirs.qm"
        compile_ts(ts, ours)
        subprocess.run([LRELEASE, "-silent", str(ts), "-qm", str(theirs)], check=True)
        assert ours.read_bytes() == theirs.read_bytes(), ts.name


def test_qtranslator_reads_what_it_writes(tmp_path: Path) -> None:
    qm = tmp_path / "edges.qm"
    compile_ts(_edges(tmp_path, "zh_CN"), qm)
    assert qm.stat().st_mode & 0o777 == 0o644
    t = QTranslator()
    assert t.load(str(qm))
    assert t.language() == "zh_CN"
    assert t.translate("Page", "Open") == "打开"
    assert t.translate("Page", "Open", "a file") == "打开文件"
    assert t.translate("Other", "Open") == "开启"
    assert t.translate("Page", "Close") == "关闭"
    assert t.translate("Page", "Draft") == "草稿"
    assert t.translate("Page", "Gone") == "" and t.translate("Page", "Not yet") == ""
    assert t.translate("Page", "%n app(s)", "", 5) == "%n 个应用"
    assert t.translate("Page", "Two\nlines & <marks> “quoted” 😀") == "两行 & 😀"


def test_english_plurals(tmp_path: Path) -> None:
    ts = tmp_path / "en.ts"
    ts.write_text('<TS version="2.1" language="en"><context><name>P</name><message numerus="yes">'
                  "<source>%n app(s)</source><translation><numerusform>%n app</numerusform>"
                  "<numerusform>%n apps</numerusform></translation></message></context></TS>")
    qm = tmp_path / "en.qm"
    compile_ts(ts, qm)
    t = QTranslator()
    assert t.load(str(qm))
    assert [t.translate("P", "%n app(s)", "", n) for n in (0, 1, 2)] == ["%n apps", "%n app", "%n apps"]


def test_what_it_cannot_compile_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ts"
    bad.write_text("<TS language='xx'><context><name>P</name></context></TS>")
    with pytest.raises(TsError, match="no plural rule for language 'xx'"):
        compile_ts(bad, tmp_path / "bad.qm")
    bad.write_text("<TS><context><name>P</name><message><source>a</source></message></context></TS>")
    with pytest.raises(TsError, match="a message of P has no <translation>"):
        compile_ts(bad, tmp_path / "bad.qm")
    bad.write_text("<html/>")
    with pytest.raises(TsError, match="not a Qt .ts file"):
        compile_ts(bad, tmp_path / "bad.qm")
    assert not (tmp_path / "bad.qm").exists() and [p.name for p in tmp_path.iterdir()] == ["bad.ts"]


def test_elf_hash_is_never_zero() -> None:
    assert elf_hash(b"") == 1
    assert elf_hash(b"Open") == ((0x4F * 16 + 0x70) * 16 + 0x65) * 16 + 0x6E  # no overflow yet
