"""Compiling Qt Linguist ``.ts`` translations to the ``.qm`` files ``QTranslator`` loads, without Qt.

The setup builds ``.qm`` files with ``pyside6-lrelease``; building a wheel must do the same on a
machine where PySide6 is not installed yet (pip builds in an isolated environment that has only
setuptools), so ``setup.py`` compiles with this module instead. It writes what ``lrelease`` writes
by default (every message with its context, source text and comment; the numerus rules of the
language), byte for byte: ``tests/test_tsqm.py`` holds it to that on our own ``.ts`` files.

    python -m appstore.tsqm IN.ts OUT.qm

The format: a magic number, then tagged blocks (tag byte, big-endian length, data): the
language, a table of (hash, offset) pairs sorted by hash, the messages, the numerus rules. A
message is a run of tagged fields: its translations (UTF-16BE), comment, source text and context
(UTF-8), then an end tag.
"""

from __future__ import annotations

import struct
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from appstore.core.fileio import write_bytes_atomic

MAGIC = bytes([0x3C, 0xB8, 0x64, 0x18, 0xCA, 0xEF, 0x9C, 0x95,
               0xCD, 0x21, 0x1C, 0xBF, 0x60, 0xA1, 0xBD, 0xDD])
# block tags
HASHES, MESSAGES, NUMERUS_RULES, LANGUAGE = 0x42, 0x69, 0x88, 0xA7
# message field tags
END, TRANSLATION, SOURCE, CONTEXT, COMMENT = 1, 3, 6, 7, 8

# Plural rules as QTranslator reads them (Qt's own table, for the languages we may ship):
# (rules, number of forms). Q_EQ = 0x01, Q_LEQ = 0x03.
NUMERUS: dict[str, tuple[bytes, int]] = {
    "en": (bytes([0x01, 1]), 2), "de": (bytes([0x01, 1]), 2), "es": (bytes([0x01, 1]), 2),
    "it": (bytes([0x01, 1]), 2), "nl": (bytes([0x01, 1]), 2), "sv": (bytes([0x01, 1]), 2),
    "fr": (bytes([0x03, 1]), 2),
    "zh": (b"", 1), "ja": (b"", 1), "ko": (b"", 1), "vi": (b"", 1), "th": (b"", 1),
    "id": (b"", 1), "ms": (b"", 1), "tr": (b"", 1),
}


class TsError(Exception):
    """A .ts file this compiler cannot turn into a .qm file; the message says what and where."""


@dataclass(frozen=True, order=True)
class Message:
    context: bytes
    source: bytes
    comment: bytes
    translations: tuple[str | None, ...]  # None: a plural form the .ts lacks (a null string)


def elf_hash(data: bytes) -> int:
    """The hash QTranslator looks messages up by (of source text + comment; never 0)."""
    h = 0
    for byte in data:
        if byte == 0:
            break
        h = ((h << 4) + byte) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h or 1


def _text(element: ET.Element) -> str:
    """A translation's text; length variants are joined as Qt joins them (U+009C)."""
    variants = element.findall("lengthvariant")
    if variants:
        return "\u009c".join("".join(v.itertext()) for v in variants)
    return "".join(element.itertext())


def read_ts(path: Path) -> tuple[str, list[Message]]:
    """The language and the messages lrelease would compile (finished, or unfinished with text)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise TsError(f"{path}: cannot read it as a .ts file ({e})") from None
    if root.tag != "TS":
        raise TsError(f"{path}: not a Qt .ts file (its root element is <{root.tag}>)")
    language = root.get("language", "")
    forms = numerus(language, path)[1]
    raw: list[tuple[str, str, str, list[str | None]]] = []
    for ctx in root.iter("context"):
        context = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None:
                raise TsError(f"{path}: a message of {context} has no <translation>")
            kind = tr.get("type", "")
            if kind in ("obsolete", "vanished"):
                continue
            texts: list[str | None]
            if msg.get("numerus") == "yes":
                texts = [_text(f) for f in tr.findall("numerusform")]
                texts = (texts + [None] * forms)[:forms]  # as many forms as the language has
            else:
                texts = [_text(tr)]
            if kind == "unfinished" and not texts[0]:
                continue  # untranslated: the source text shows
            raw.append((context, msg.findtext("source") or "", msg.findtext("comment") or "", texts))
    plain = {(c, s) for c, s, comment, _ in raw if not comment}
    messages = []
    for context, source, comment, texts in raw:
        # lrelease keeps a comment only where it tells two messages apart (or without context)
        keep = not comment or not context or (context, source) in plain
        messages.append(Message(context.encode(), source.encode(),
                                comment.encode() if keep else b"", tuple(texts)))
    return language, messages


def numerus(language: str, where: Path | str = "") -> tuple[bytes, int]:
    base = language.replace("-", "_").split("_")[0]
    if not language:
        return b"", 1
    if base not in NUMERUS:
        raise TsError(f"{where}: no plural rule for language {language!r}; add it to "
                      "NUMERUS in appstore/tsqm.py (from Qt's numerus.cpp)")
    return NUMERUS[base]


def _field(tag: int, data: bytes) -> bytes:
    return struct.pack(">BI", tag, len(data)) + data


def compile_messages(language: str, messages: list[Message]) -> bytes:
    first: dict[tuple[bytes, bytes, bytes], Message] = {}
    for m in messages:
        first.setdefault((m.context, m.source, m.comment), m)  # as lrelease: the first one wins
    unique = sorted(first.values())
    body = bytearray()
    offsets = []
    for m in unique:
        offsets.append((elf_hash(m.source + m.comment), len(body)))
        for text in m.translations:
            body += (struct.pack(">BI", TRANSLATION, 0xFFFFFFFF) if text is None
                     else _field(TRANSLATION, text.encode("utf-16-be")))
        body += _field(COMMENT, m.comment) + _field(SOURCE, m.source) + _field(CONTEXT, m.context)
        body.append(END)
    out = bytearray(MAGIC)
    if language:
        out += _field(LANGUAGE, language.encode())
    if offsets:
        out += _field(HASHES, b"".join(struct.pack(">II", h, o) for h, o in sorted(offsets)))
        out += _field(MESSAGES, bytes(body))
    rules = numerus(language)[0]
    if rules:
        out += _field(NUMERUS_RULES, rules)
    return bytes(out)


def compile_ts(src: Path, dst: Path) -> None:
    """Write ``dst`` (crash-safe: a temp file renamed over it) from ``src``."""
    # (mkstemp's 0600 would make an installed copy private; a build needs no fsync)
    write_bytes_atomic(dst, compile_messages(*read_ts(src)), fsync=False, mode=0o644)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m appstore.tsqm IN.ts OUT.qm", file=sys.stderr)
        return 2
    try:
        compile_ts(Path(argv[0]), Path(argv[1]))
    except (TsError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
