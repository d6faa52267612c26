"""App / Release / Catalog, the constants of the catalogue format, and the cleaning of its
strings (docs/store-format.md). Its parser is ``parse.py``, with the field checks of ``fields.py``.

Every string is cleaned of control characters and Unicode bidi controls (see ``clean``).
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from appstore.core import wording

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
UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
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
        return UNSAFE_TEXT.sub("", text) if UNSAFE_TEXT.search(text) else text
    return UNSAFE_LINE.sub("", text) if UNSAFE_LINE.search(text) else text


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
