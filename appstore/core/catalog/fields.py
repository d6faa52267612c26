"""The catalogue's field checks (``_Checker``: each reports the JSON path of a bad value, like
``apps[3].name.en``) and their fast paths (``_plain_*``), which ``parse.py`` tries first.

The same checks serve the publisher (which names the source file in its error) and the client
(which refuses a malformed catalogue even when it is correctly signed).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any, TypeGuard

from appstore.core import versions
from appstore.core.catalog.models import (
    DATE_RE,
    LANGS,
    MAX_URL,
    PERMISSIONS,
    SHA256_RE,
    TARGET_RE,
    UNSAFE_LINE,
    UNSAFE_TEXT,
    Release,
    _url_problem,
    clean,
    url_problem,
)
from appstore.core.errors import CatalogError, shorten
from appstore.core.ids import ID_RE


class _Checker:
    """Field checks that report a JSON path (``apps[3].name.en``) in their message."""

    def __init__(self, where: str, *, strict: bool = False) -> None:
        self.where = where
        self.strict = strict  # refuse unknown languages, kinds and permissions (publishers)

    def fail(self, path: str, problem: str) -> CatalogError:
        return CatalogError(f"{self.where}: {path}: {problem}")

    def obj(self, v: Any, path: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(path, "must be an object")
        return v

    def raw(self, v: Any, path: str, *, max_len: int = 200, empty: bool = False) -> str:
        """A string as it is: for ids, versions, file names and URLs, whose patterns refuse
        control characters rather than quietly drop them."""
        if not isinstance(v, str):
            raise self.fail(path, "must be a string")
        if len(v) > max_len:
            raise self.fail(path, f"is longer than {max_len} characters")
        if not empty and not v.strip():
            raise self.fail(path, "must not be empty")
        return v

    def string(self, v: Any, path: str, *, max_len: int = 200, empty: bool = False,
               multiline: bool = False) -> str:
        """A string people read, without control characters and bidi controls."""
        if not isinstance(v, str):
            raise self.fail(path, "must be a string")
        s = clean(v, multiline=multiline)
        if not empty and not s.strip():
            raise self.fail(path, "must not be empty")
        if len(s) > max_len:
            raise self.fail(path, f"is longer than {max_len} characters")
        return s

    def text(self, v: Any, path: str, *, max_len: int, multiline: bool = False) -> dict[str, str]:
        """A localized text: English required; languages this client does not know dropped."""
        d = self.obj(v, path)
        if "en" not in d:
            raise self.fail(path, "needs an English text under 'en'")
        unsafe = UNSAFE_TEXT if multiline else UNSAFE_LINE
        out = d  # copied only when something is cleaned or dropped (most texts are neither)
        for lang, s in d.items():
            if not isinstance(s, str) or (not s.isprintable() and unsafe.search(s)):
                t = self.string(s, f"{path}.{clean(lang)}", max_len=max_len, multiline=multiline)
            elif len(s) > max_len or not s.strip():
                self.string(s, f"{path}.{clean(lang)}", max_len=max_len, multiline=multiline)  # raises
                t = s
            else:
                t = s
            if lang not in LANGS:
                if self.strict:
                    raise self.fail(f"{path}.{clean(lang)}",
                                    f"unknown language (use one of {', '.join(LANGS)})")
                if out is d:
                    out = dict(d)
                del out[lang]
            elif t is not s:
                if out is d:
                    out = dict(d)
                out[lang] = t
        return out

    def ident(self, v: Any, path: str) -> str:
        s = self.raw(v, path, max_len=64)
        if not ID_RE.fullmatch(s):
            raise self.fail(path, f"{s!r} is not a valid id (lowercase letters, digits, '.' and '-')")
        return s

    def target(self, v: Any, path: str) -> str:
        s = self.raw(v, path, max_len=300)
        if not TARGET_RE.fullmatch(s) or ".." in s.split("/"):
            raise self.fail(path, f"{s!r} is not a valid file name in the store")
        return s

    def url(self, v: Any, path: str, *, link: bool = False) -> str:
        s = self.raw(v, path, max_len=MAX_URL, empty=True)
        problem = url_problem(s, link=link) if s else None
        if problem:
            raise self.fail(path, f"{shorten(repr(s))} {problem}")
        return s

    def items(self, d: Mapping[str, Any], key: str, path: str) -> list[Any]:
        """``d[key]``, a list (empty when absent)."""
        v = d.get(key, [])
        if not isinstance(v, list):
            raise self.fail(f"{path}.{key}", "must be a list")
        return v

    def strings(self, v: Any, path: str, *, max_items: int = 20) -> list[str]:
        if not isinstance(v, list) or len(v) > max_items:
            raise self.fail(path, f"must be a list of at most {max_items} strings")
        return [self.raw(s, f"{path}[{i}]", max_len=64) for i, s in enumerate(v)]


# Fast paths. Nearly every value in a real catalogue is plain: a printable string within its
# length, a text in known languages, known permissions, one release. Each ``_plain_*`` says
# whether a value is one its full check (named) would return unchanged; the parsers below try it
# first and run the full check (with the JSON path, built only then) on anything else -- an
# error, a value to clean, an unknown language or permission. So a fast path only skips work: it
# never accepts what the full check refuses, and the first error and its message are the same
# (tests/core/test_catalog_fast_paths.py feeds them hostile input and compares).

_id_match = ID_RE.fullmatch
_target_match = TARGET_RE.fullmatch
_sha256_match = SHA256_RE.fullmatch
# The known permissions that ``_Checker.strings`` accepts as they are (all, but not by assumption).
_PLAIN_PERMISSIONS = frozenset(p for p in PERMISSIONS if len(p) <= 64 and p.strip())
_LANG_SET = frozenset(LANGS)  # (a set finds a key faster than a tuple)


def _plain_id(v: Any) -> TypeGuard[str]:
    """What ``_Checker.ident`` accepts (the pattern itself refuses an empty or blank id)."""
    return type(v) is str and len(v) <= 64 and _id_match(v) is not None


def _plain_target(v: Any) -> TypeGuard[str]:
    """What ``_Checker.target`` accepts."""
    return (type(v) is str and len(v) <= 300 and _target_match(v) is not None
            and (".." not in v or ".." not in v.split("/")))


def _plain_url(v: Any, link: bool) -> TypeGuard[str]:
    """What ``_Checker.url`` accepts, the empty string included."""
    return type(v) is str and (not v or (len(v) <= MAX_URL and _url_problem(v, link) is None))


def _plain_string(v: Any, max_len: int) -> TypeGuard[str]:
    """What ``_Checker.string`` returns unchanged: printable, so ``clean`` has nothing to do."""
    return type(v) is str and len(v) <= max_len and v.isprintable() and bool(v.strip())


# The ASCII characters ``clean`` keeps: printable ones, and tab and newline in a multiline text.
_ASCII_LINE = bytes(range(0x20, 0x7F))
_ASCII_TEXT = _ASCII_LINE + b"\t\n"


def _plain_text(v: Any, max_len: int, multiline: bool = False) -> TypeGuard[dict[str, str]]:
    """What ``_Checker.text`` returns unchanged: only known languages, nothing to clean."""
    if type(v) is not dict or "en" not in v:
        return False
    keep, unsafe = (_ASCII_TEXT, UNSAFE_TEXT) if multiline else (_ASCII_LINE, UNSAFE_LINE)
    for lang, s in v.items():
        if lang not in _LANG_SET or type(s) is not str or len(s) > max_len or not s.strip():
            return False
        # Nothing for ``clean`` to remove (the test ``_Checker.text`` makes): for long ASCII,
        # deleting the characters it keeps is faster than isprintable (2x at 200 characters).
        if len(s) > 100 and s.isascii():
            if s.encode().translate(None, keep):
                return False
        elif not s.isprintable() and unsafe.search(s) is not None:
            return False
    return True


def _known_categories(v: Any, categories: Mapping[str, Any]) -> TypeGuard[list[str]]:
    """Categories ``parse_app`` accepts as they are: 1 to 5, each one of the catalogue's."""
    if type(v) is not list or not 0 < len(v) <= 5:
        return False
    for cat in v:
        if type(cat) is not str or len(cat) > 64 or not cat.strip() or cat not in categories:
            return False
    return True


def _known_permissions(v: Any) -> TypeGuard[list[str]]:
    """Permissions ``parse_app`` accepts as they are: at most 20, each one this client knows."""
    if type(v) is not list or len(v) > 20:
        return False
    for p in v:  # noqa: SIM110 - all() over a generator takes twice as long
        if type(p) is not str or p not in _PLAIN_PERMISSIONS:
            return False
    return True


def _plain_version(v: Any) -> TypeGuard[str]:
    """A version ``parse_release`` accepts (the pattern itself refuses an empty or blank one)."""
    return type(v) is str and len(v) <= 64 and _good_version(v)


@functools.lru_cache(maxsize=4096)  # apps share version strings
def _good_version(text: str) -> bool:
    return versions.is_valid(text) and text.isprintable()


def _plain_sha256(v: Any) -> TypeGuard[str]:
    return type(v) is str and len(v) == 64 and _sha256_match(v) is not None


def _plain_date(v: Any) -> TypeGuard[str]:
    """A date ``parse_release`` accepts (the pattern itself refuses an empty or blank one)."""
    return type(v) is str and len(v) <= 10 and _good_date(v)


@functools.lru_cache(maxsize=1024)  # releases share few dates
def _good_date(text: str) -> bool:
    return DATE_RE.fullmatch(text) is not None and _real_date(text)


def _real_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _plain_release(r: Any) -> Release | None:
    """The release ``parse_release`` makes of ``r`` when all its fields are plain, else None."""
    if type(r) is not dict:
        return None
    version, size, sha, date = r.get("version"), r.get("size"), r.get("sha256"), r.get("date")
    changelog = r.get("changelog", {"en": "-"})
    package = r.get("package")
    if (_plain_version(version) and type(size) is int and size > 0 and _plain_sha256(sha)
            and _plain_date(date) and _plain_text(changelog, 4000, multiline=True)
            and _plain_target(package)):
        return Release(version, package, size, sha, date, changelog)
    return None
