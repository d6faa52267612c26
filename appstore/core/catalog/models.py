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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appstore.core import versions, wording
from appstore.core.bulk import gc_paused
from appstore.core.errors import CatalogError, shorten
from appstore.core.wallet.address import decode_address
from appstore.core.wallet.errors import BadAddress

FORMAT = 1
CATALOG_TARGET = "catalog/index.json"  # where a store signs its catalogue
LANGS = ("en", "zh_CN")
KINDS = ("web", "link")
# Used with fullmatch: "$" alone would let a trailing newline through.
ID_RE = re.compile(r"[a-z0-9]+([.-][a-z0-9]+)*")
PERMISSION_RE = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
GENERATED_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TARGET_RE = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
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


@functools.lru_cache(maxsize=4096)  # a developer's apps often share one website
def url_problem(url: str, *, link: bool = False) -> str | None:
    """Why ``url`` cannot be a store's website (``link=False``) or a link DApp's page
    (``link=True``: https only, or http on this computer), or None if it can."""
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
        return out


@dataclass(frozen=True)
class Catalog:
    store_id: str  # as the store names itself
    store_name: Localized
    generated: str
    categories: Mapping[str, Localized]
    apps: tuple[App, ...]
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
                self.string(s, f"{path}.{clean(lang)}", max_len=max_len)  # raises
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


def _real_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_release(c: _Checker, raw: Any, path: str) -> Release:
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
    a = c.obj(raw, path)
    app_id = c.ident(a.get("id"), f"{path}.id")
    kind = a.get("kind")
    if not isinstance(kind, str):
        raise c.fail(f"{path}.kind", f"must be a string, one of {', '.join(KINDS)}")
    if kind not in KINDS:
        if c.strict:
            raise c.fail(f"{path}.kind", f"must be one of {', '.join(KINDS)}")
        return None  # a newer kind of app: not shown by this client
    cats = c.strings(a.get("categories"), f"{path}.categories", max_items=5)
    if not cats:
        raise c.fail(f"{path}.categories", "needs at least one category")
    for cat in cats:
        if cat not in categories:
            raise c.fail(f"{path}.categories", f"unknown category {cat!r}")
    perms: list[str] = []
    unknown: list[str] = []
    for i, p in enumerate(c.strings(a.get("permissions", []), f"{path}.permissions")):
        if p in PERMISSIONS:
            perms.append(p)
        elif not PERMISSION_RE.fullmatch(p):
            raise c.fail(f"{path}.permissions[{i}]", f"{p!r} is not a permission name")
        elif c.strict:
            raise c.fail(f"{path}.permissions", f"unknown permission {p!r}")
        else:
            unknown.append(p)
    releases = [
        parse_release(c, r, f"{path}.releases[{i}]") for i, r in enumerate(c.items(a, "releases", path))
    ]
    releases.sort(key=lambda r: versions.Version(r.version), reverse=True)
    if len({versions.Version(r.version) for r in releases}) != len(releases):
        raise c.fail(f"{path}.releases", "lists the same version twice")
    url = c.url(a.get("url", ""), f"{path}.url", link=True)
    if kind == "web" and not releases:
        raise c.fail(f"{path}.releases", "a web DApp needs at least one release")
    if kind == "link" and not url:
        raise c.fail(f"{path}.url", "a link DApp needs the https URL it opens")
    screenshots = a.get("screenshots", [])
    if not isinstance(screenshots, list) or len(screenshots) > 12:
        raise c.fail(f"{path}.screenshots", "must be a list of at most 12 files")
    featured = a.get("featured", False)
    if not isinstance(featured, bool):
        raise c.fail(f"{path}.featured", "must be true or false")
    payee = _payee(c, a.get("payee", ""), f"{path}.payee")
    if payee and "wallet.pay" not in perms:
        raise c.fail(f"{path}.payee", "is only for a DApp with the wallet.pay permission")
    if c.strict and "wallet.pay" in perms and not payee:
        raise c.fail(f"{path}.payee", "a DApp with wallet.pay needs the BCD address it is paid to")
    return App(
        id=app_id,
        name=c.text(a.get("name"), f"{path}.name", max_len=80),
        summary=c.text(a.get("summary"), f"{path}.summary", max_len=200),
        description=c.text(a.get("description"), f"{path}.description", max_len=20000,
                           multiline=True),
        categories=tuple(cats),
        kind=kind,
        icon=c.target(a.get("icon"), f"{path}.icon"),
        screenshots=tuple(c.target(s, f"{path}.screenshots[{i}]") for i, s in enumerate(screenshots)),
        developer=c.string(a.get("developer"), f"{path}.developer", max_len=120),
        website=c.url(a.get("website", ""), f"{path}.website"),
        license=c.string(a.get("license"), f"{path}.license", max_len=64),
        permissions=tuple(perms),
        releases=tuple(releases),
        url=url,
        featured=featured,
        store=store,
        unknown_permissions=tuple(unknown),
        payee=payee,
    )


def _payee(c: _Checker, raw: Any, path: str) -> str:
    if raw == "":
        return ""
    text = c.string(raw, path, max_len=40)
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
    parsed = [parse_app(c, a, f"apps[{i}]", categories, store) for i, a in enumerate(apps_raw)]
    apps = tuple(a for a in parsed if a is not None)
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
