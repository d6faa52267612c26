"""App / Release dataclasses and the parser of ``catalog/index.json`` (docs/store-format.md).

The same field checks serve the publisher (which names the source file in its error) and the
client (which refuses a malformed catalogue even when it is correctly signed).

Malformed values (a wrong type, a bad id, version, date, URL or file name) refuse the whole
catalogue with a message naming the JSON path. Values that are well formed but unknown to this
client are ignored, so a store can add languages, kinds and permissions without breaking older
clients: an unknown language is dropped, an app of an unknown kind is skipped, an unknown
permission is recorded in ``App.unknown_permissions`` and never granted. ``strict=True`` (for
publishers) refuses them instead.

Every string is cleaned of control characters and Unicode bidi controls (see ``clean``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from appstore.core import versions, wording
from appstore.core.bulk import gc_paused
from appstore.core.errors import CatalogError, shorten
from appstore.core.ids import ID_RE as ID_RE  # (also read from here)

FORMAT = 1
CATALOG_TARGET = "catalog/index.json"  # where a store signs its catalogue
LANGS = ("en", "zh_CN")
KINDS = ("web", "link")
# Used with fullmatch: "$" alone would let a trailing newline through.
PERMISSION_RE = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
GENERATED_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TARGET_RE = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
# A language code as the catalogue writes them: en, zh_CN (the ones a client knows are LANGS).
LANG_CODE_RE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
MAX_SCREENSHOTS = 12  # per app, and per language in screenshots_l10n
MAX_SCREENSHOT_LANGS = 20
MAX_URL = 500
# http:// is allowed for a link DApp only on this computer (a DApp under development).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# Removed from every catalogue string: C0 and C1 control characters and DEL (tab and newline
# survive in descriptions and changelogs), and the Unicode bidi controls (embeddings, overrides,
# isolates, LRM/RLM, ALM) with which a name could reorder itself to look like another.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# Never in a URL: they could end an HTML attribute or hide what the link says.
_URL_BAD = re.compile(f"[\\s\"'`<>\\\\\x00-\x1f\x7f-\x9f{_BIDI}]")

# Permissions a DApp may ask for; the GUI explains each in plain words.
# The permissions this client knows and enforces; their wording (both languages) is in
# ``wording.PERMISSIONS``, the one table the CLI and the GUI show.
PERMISSIONS = frozenset(wording.PERMISSIONS)

Localized = Mapping[str, str]


def clean(text: str, *, multiline: bool = False) -> str:
    """``text`` without control characters and bidi controls (``multiline`` keeps tab and
    newline; CR LF and lone CR become newlines)."""
    if text.isprintable():  # the common case, and fast: no control or format characters
        return text
    if multiline:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _UNSAFE_TEXT.sub("", text) if _UNSAFE_TEXT.search(text) else text
    return _UNSAFE_LINE.sub("", text) if _UNSAFE_LINE.search(text) else text


def url_problem(url: str, *, link: bool = False) -> str | None:
    """Why ``url`` cannot be a store's website (``link=False``) or a link DApp's page
    (``link=True``: https only, or http on this computer), or None if it can."""
    return _url_problem(url, link)


@functools.lru_cache(maxsize=4096)  # a developer's apps often share one website
def _url_problem(url: str, link: bool) -> str | None:  # positional: a cheaper cache key
    if len(url) > MAX_URL:
        return f"is longer than {MAX_URL} characters"
    if _URL_BAD.search(url):
        return "must not hold spaces, quotes, backticks, angle brackets, backslashes or control characters"
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "is not a valid URL"
    if not (url.startswith("https://") or url.startswith("http://")) or not host:
        return "must be an http(s) URL with a host, like https://example.org/page"
    if "@" in parts.netloc:
        return "must not hold a user name or password (user@host)"
    if link and parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        return "must use https (http only for 127.0.0.1 or localhost, while developing)"
    return None


def localized(text: Localized, lang: str) -> str:
    """The text in ``lang``, falling back to English, then to any language present."""
    return text.get(lang) or text.get("en") or next(iter(text.values()), "")


@dataclass(slots=True)  # not frozen: a frozen __init__ is 3x slower to build 100k of
class Release:
    version: str
    package: str
    size: int
    sha256: str
    date: str
    changelog: Localized = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "package": self.package,
            "size": self.size,
            "sha256": self.sha256,
            "date": self.date,
            "changelog": dict(self.changelog),
        }


@dataclass(slots=True)  # not frozen: a frozen __init__ is 3x slower to build 100k of
class App:
    id: str
    name: Localized
    summary: Localized
    description: Localized
    categories: tuple[str, ...]
    kind: str
    icon: str
    screenshots: tuple[str, ...]
    developer: str
    website: str
    license: str
    permissions: tuple[str, ...]
    releases: tuple[Release, ...]  # newest first
    url: str = ""  # for kind == "link"
    featured: bool = False
    store: str = ""  # id of the store it came from (set by the client)
    # Permissions the store lists that this client does not know: never granted; the app page
    # says the app asks for something this version cannot give. Keep last (cache.py rows).
    unknown_permissions: tuple[str, ...] = ()
    # The BCD address ``imapp_pay`` pays for this DApp (docs/dapp-api.md): never one a page gives.
    payee: str = ""
    # Screenshots of the app in a language (its own words in it), by language: ``screenshots_for``.
    screenshots_l10n: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def screenshots_for(self, lang: str) -> tuple[str, ...]:
        """The screenshots to show in ``lang``: that language's set when the store has one,
        else the default list (docs/store-format.md, ``screenshots_l10n``)."""
        return self.screenshots_l10n.get(lang) or self.screenshots

    @property
    def latest(self) -> Release | None:
        return self.releases[0] if self.releases else None

    @property
    def version(self) -> str | None:
        return self.releases[0].version if self.releases else None

    def to_json(self) -> dict[str, Any]:
        """The catalogue form (what ``catalog/index.json`` holds for one app)."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": dict(self.name),
            "summary": dict(self.summary),
            "description": dict(self.description),
            "categories": list(self.categories),
            "kind": self.kind,
            "icon": self.icon,
            "screenshots": list(self.screenshots),
            "developer": self.developer,
            "website": self.website,
            "license": self.license,
            "permissions": [*self.permissions, *self.unknown_permissions],
            "releases": [r.to_json() for r in self.releases],
            "featured": self.featured,
        }
        if self.url:
            out["url"] = self.url
        if self.payee:
            out["payee"] = self.payee
        if self.screenshots_l10n:
            out["screenshots_l10n"] = {k: list(v) for k, v in self.screenshots_l10n.items()}
        return out


@dataclass(frozen=True)
class Catalog:
    store_id: str  # as the store names itself
    store_name: Localized
    generated: str
    categories: Mapping[str, Localized]
    apps: Sequence[App]  # a tuple when parsed; ``cache.AppRows`` when kept
    store: str = ""  # the local id this computer gave the store (what ``App.store`` holds)


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
        unsafe = _UNSAFE_TEXT if multiline else _UNSAFE_LINE
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
    keep, unsafe = (_ASCII_TEXT, _UNSAFE_TEXT) if multiline else (_ASCII_LINE, _UNSAFE_LINE)
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


def parse_release(c: _Checker, raw: Any, path: str) -> Release:
    plain = _plain_release(raw)
    if plain is not None:
        return plain
    r = c.obj(raw, path)
    version = c.raw(r.get("version"), f"{path}.version", max_len=64)
    if not versions.is_valid(version) or not version.isprintable():
        raise c.fail(f"{path}.version", f"{version!r} is not a valid version (like 1.2.3)")
    size = r.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise c.fail(f"{path}.size", "must be a positive integer (bytes)")
    sha = c.raw(r.get("sha256"), f"{path}.sha256", max_len=64)
    if not SHA256_RE.fullmatch(sha):
        raise c.fail(f"{path}.sha256", "must be 64 lowercase hex digits")
    date = c.raw(r.get("date"), f"{path}.date", max_len=10)
    if not DATE_RE.fullmatch(date) or not _real_date(date):
        raise c.fail(f"{path}.date", f"{date!r} is not a date like 2026-01-31")
    changelog = c.text(r.get("changelog", {"en": "-"}), f"{path}.changelog", max_len=4000,
                       multiline=True)
    package = c.target(r.get("package"), f"{path}.package")
    return Release(version, package, size, sha, date, changelog)


def parse_app(
    c: _Checker, raw: Any, path: str, categories: Mapping[str, Any], store: str = ""
) -> App | None:
    """The app at ``path``, or None when its kind is one this client does not know."""
    # Each field: its fast path (see "Fast paths" above), else the full check, which names the
    # field; in the order of the full checks, so that the first error found is the same one.
    a = raw if type(raw) is dict else c.obj(raw, path)
    app_id = a.get("id")
    if not _plain_id(app_id):
        app_id = c.ident(app_id, f"{path}.id")
    kind = a.get("kind")
    if not isinstance(kind, str):
        raise c.fail(f"{path}.kind", f"must be a string, one of {', '.join(KINDS)}")
    if kind not in KINDS:
        if c.strict:
            raise c.fail(f"{path}.kind", f"must be one of {', '.join(KINDS)}")
        return None  # a newer kind of app: not shown by this client
    cats = a.get("categories")
    if not _known_categories(cats, categories):
        cats = c.strings(cats, f"{path}.categories", max_items=5)
        if not cats:
            raise c.fail(f"{path}.categories", "needs at least one category")
        for cat in cats:
            if cat not in categories:
                raise c.fail(f"{path}.categories", f"unknown category {cat!r}")
    perms: list[str] = a.get("permissions", [])
    unknown: list[str] = []
    if not _known_permissions(perms):
        perms = []
        for i, p in enumerate(c.strings(a.get("permissions", []), f"{path}.permissions")):
            if p in PERMISSIONS:
                perms.append(p)
            elif not PERMISSION_RE.fullmatch(p):
                raise c.fail(f"{path}.permissions[{i}]", f"{p!r} is not a permission name")
            elif c.strict:
                raise c.fail(f"{path}.permissions", f"unknown permission {p!r}")
            else:
                unknown.append(p)
    releases = a.get("releases", [])
    if type(releases) is not list:
        releases = c.items(a, "releases", path)  # the full check
    releases = [_plain_release(r) or parse_release(c, r, f"{path}.releases[{i}]")
                for i, r in enumerate(releases)]
    if len(releases) > 1:  # (one release has no order to sort and no twin)
        # Newest first, each version once, as versions compare (1.2 == 1.2.0).
        keys = [versions.sort_key(r.version) for r in releases]
        if len(set(keys)) != len(keys):
            raise c.fail(f"{path}.releases", "lists the same version twice")
        releases = [r for _, r in sorted(zip(keys, releases, strict=True), key=_first, reverse=True)]
    url = a.get("url", "")
    if not _plain_url(url, True):
        url = c.url(url, f"{path}.url", link=True)
    if kind == "web" and not releases:
        raise c.fail(f"{path}.releases", "a web DApp needs at least one release")
    if kind == "link" and not url:
        raise c.fail(f"{path}.url", "a link DApp needs the https URL it opens")
    screenshots = a.get("screenshots", [])
    if not isinstance(screenshots, list) or len(screenshots) > MAX_SCREENSHOTS:
        raise c.fail(f"{path}.screenshots", f"must be a list of at most {MAX_SCREENSHOTS} files")
    featured = a.get("featured", False)
    if not isinstance(featured, bool):
        raise c.fail(f"{path}.featured", "must be true or false")
    payee = a.get("payee", "")
    payee = _payee(c, payee, f"{path}.payee") if payee != "" else ""
    if payee and "wallet.pay" not in perms:
        raise c.fail(f"{path}.payee", "is only for a DApp with the wallet.pay permission")
    if c.strict and "wallet.pay" in perms and not payee:
        raise c.fail(f"{path}.payee", "a DApp with wallet.pay needs the BCD address it is paid to")
    name = a.get("name")
    if not _plain_text(name, 80):
        name = c.text(name, f"{path}.name", max_len=80)
    summary = a.get("summary")
    if not _plain_text(summary, 200):
        summary = c.text(summary, f"{path}.summary", max_len=200)
    description = a.get("description")
    if not _plain_text(description, 20000, multiline=True):
        description = c.text(description, f"{path}.description", max_len=20000, multiline=True)
    icon = a.get("icon")
    if not _plain_target(icon):
        icon = c.target(icon, f"{path}.icon")
    shots = tuple(screenshots)
    if not all(map(_plain_target, shots)):
        shots = tuple(c.target(s, f"{path}.screenshots[{i}]") for i, s in enumerate(screenshots))
    l10n_shots = (_screenshots_l10n(c, a["screenshots_l10n"], f"{path}.screenshots_l10n")
                  if "screenshots_l10n" in a else {})
    developer = a.get("developer")
    if not _plain_string(developer, 120):
        developer = c.string(developer, f"{path}.developer", max_len=120)
    website = a.get("website", "")
    if not _plain_url(website, False):
        website = c.url(website, f"{path}.website")
    licence = a.get("license")
    if not _plain_string(licence, 64):
        licence = c.string(licence, f"{path}.license", max_len=64)
    # Positional, in the order of App's fields: keywords take three times as long to pass.
    return App(app_id, name, summary, description, tuple(cats), kind, icon, shots, developer,
               website, licence, tuple(perms), tuple(releases), url, featured, store,
               tuple(unknown), payee, l10n_shots)


def _screenshots_l10n(c: _Checker, raw: Any, path: str) -> dict[str, tuple[str, ...]]:
    """``screenshots_l10n``: language code -> 1 to 12 targets. A well-formed code this client
    does not know is dropped (refused when strict), like a text's unknown language."""
    d = c.obj(raw, path)
    if len(d) > MAX_SCREENSHOT_LANGS:
        raise c.fail(path, f"must name at most {MAX_SCREENSHOT_LANGS} languages")
    out: dict[str, tuple[str, ...]] = {}
    for lang, shots in d.items():
        where = f"{path}.{shorten(repr(clean(lang)))}"
        if not LANG_CODE_RE.fullmatch(lang):
            raise c.fail(where, "is not a language code like en or zh_CN")
        where = f"{path}.{lang}"
        if not isinstance(shots, list) or not 0 < len(shots) <= MAX_SCREENSHOTS:
            raise c.fail(where, f"must be a list of 1 to {MAX_SCREENSHOTS} files")
        targets = tuple(s if _plain_target(s) else c.target(s, f"{where}[{i}]")
                        for i, s in enumerate(shots))
        if lang in _LANG_SET:
            out[lang] = targets
        elif c.strict:
            raise c.fail(where, f"unknown language (use one of {', '.join(LANGS)})")
    return out


def _first(pair: tuple[tuple[object, ...], Release]) -> tuple[object, ...]:
    return pair[0]


def parse_apps(c: _Checker, raw: list[Any], categories: Mapping[str, Any],
               store: str = "") -> tuple[App, ...]:
    """The apps of the list ``raw`` (``apps[i]`` in messages), those of unknown kinds skipped."""
    parsed = [parse_app(c, a, f"apps[{i}]", categories, store) for i, a in enumerate(raw)]
    return tuple(a for a in parsed if a is not None)


def _payee(c: _Checker, raw: Any, path: str) -> str:
    if raw == "":
        return ""
    text = c.string(raw, path, max_len=40)
    # (the wallet's code loads with the first DApp that is paid: not what a start needs)
    from appstore.core.wallet.address import decode_address
    from appstore.core.wallet.errors import BadAddress

    try:
        decode_address(text)
    except BadAddress as e:
        raise c.fail(path, str(e)) from None
    if text != text.strip():
        raise c.fail(path, "must not have spaces around it")
    return text


def parse_catalog(
    data: Any, *, where: str = "catalog/index.json", store: str = "", strict: bool = False
) -> Catalog:
    """Validate a decoded catalogue index; raise ``CatalogError`` naming the bad field.

    ``store`` is the local id of the store it came from, recorded on every app. Languages,
    kinds and permissions this client does not know are ignored (see the module docstring);
    ``strict`` refuses them instead, which is what a publisher wants.
    """
    with gc_paused():
        return _parse_catalog(data, where, store, strict)


def _parse_catalog(data: Any, where: str, store: str, strict: bool) -> Catalog:
    c = _Checker(where, strict=strict)
    d = c.obj(data, "(top)")
    fmt = d.get("format")
    if type(fmt) is not int or fmt != FORMAT:
        raise c.fail("format", f"unsupported catalogue format {fmt!r}; update imapp")
    info = c.obj(d.get("store"), "store")
    store_id = c.ident(info.get("id"), "store.id")
    store_name = c.text(info.get("name"), "store.name", max_len=80)
    if "description" in info:  # optional; not shown by this version
        c.text(info["description"], "store.description", max_len=2000, multiline=True)
    cats_raw = c.obj(d.get("categories"), "categories")
    categories = {c.ident(k, "categories"): c.text(v, f"categories.{k}", max_len=40)
                  for k, v in cats_raw.items()}
    apps_raw = d.get("apps")
    if not isinstance(apps_raw, list):
        raise c.fail("apps", "must be a list")
    apps = parse_apps(c, apps_raw, categories, store)
    if len({app.id for app in apps}) != len(apps):  # then find the first repeated one
        seen: set[str] = set()
        for app in apps:
            if app.id in seen:
                raise c.fail("apps", f"the id {app.id!r} is used twice")
            seen.add(app.id)
    generated = c.raw(d.get("generated", ""), "generated", max_len=20, empty=True)
    if generated and not (GENERATED_RE.fullmatch(generated) and _real_time(generated)):
        raise c.fail("generated", f"{generated!r} is not a UTC time like 2026-01-31T12:00:00Z")
    return Catalog(store_id, store_name, generated, categories, apps, store)


def _real_time(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
