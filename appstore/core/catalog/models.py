"""App / Release dataclasses and the strict parser of ``catalog/index.json``.

The same field checks serve the publisher (which names the source file in its error) and the
client (which refuses a malformed catalogue even when it is correctly signed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appstore.core import versions
from appstore.core.bulk import gc_paused
from appstore.core.errors import CatalogError

FORMAT = 1
CATALOG_TARGET = "catalog/index.json"  # where a store signs its catalogue
LANGS = ("en", "zh_CN")
KINDS = ("web", "link")
ID_RE = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TARGET_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")

# Permissions a DApp may ask for; the GUI explains each in plain words.
PERMISSIONS = {
    "wallet.address": "See your wallet address",
    "wallet.sign": "Ask you to sign messages with your wallet",
    "wallet.pay": "Ask you to pay IA from your wallet",
    "network": "Connect to the internet",
    "storage": "Keep data on this computer",
    "clipboard": "Copy text to your clipboard",
}

Localized = Mapping[str, str]


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
            "permissions": list(self.permissions),
            "releases": [r.to_json() for r in self.releases],
            "featured": self.featured,
        }
        if self.url:
            out["url"] = self.url
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

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, problem: str) -> CatalogError:
        return CatalogError(f"{self.where}: {path}: {problem}")

    def obj(self, v: Any, path: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(path, "must be an object")
        return v

    def string(self, v: Any, path: str, *, max_len: int = 200, empty: bool = False) -> str:
        if not isinstance(v, str):
            raise self.fail(path, "must be a string")
        if not empty and not v.strip():
            raise self.fail(path, "must not be empty")
        if len(v) > max_len:
            raise self.fail(path, f"is longer than {max_len} characters")
        return v

    def text(self, v: Any, path: str, *, max_len: int) -> dict[str, str]:
        d = self.obj(v, path)
        if "en" not in d:
            raise self.fail(path, "needs an English text under 'en'")
        for lang, s in d.items():
            if lang not in LANGS:
                raise self.fail(f"{path}.{lang}", f"unknown language (use one of {', '.join(LANGS)})")
            self.string(s, f"{path}.{lang}", max_len=max_len)
        return d

    def ident(self, v: Any, path: str) -> str:
        s = self.string(v, path, max_len=64)
        if not ID_RE.match(s):
            raise self.fail(path, f"{s!r} is not a valid id (lowercase letters, digits, '.' and '-')")
        return s

    def target(self, v: Any, path: str) -> str:
        s = self.string(v, path, max_len=300)
        if not TARGET_RE.match(s) or ".." in s.split("/"):
            raise self.fail(path, f"{s!r} is not a valid file name in the store")
        return s

    def url(self, v: Any, path: str, *, empty: bool = True) -> str:
        s = self.string(v, path, max_len=500, empty=empty)
        if s and not re.match(r"^https?://[^\s/$.?#][^\s]*$", s):
            raise self.fail(path, f"{s!r} is not an http(s) URL")
        return s

    def strings(self, v: Any, path: str, *, max_items: int = 20) -> list[str]:
        if not isinstance(v, list) or len(v) > max_items:
            raise self.fail(path, f"must be a list of at most {max_items} strings")
        return [self.string(s, f"{path}[{i}]", max_len=64) for i, s in enumerate(v)]


def parse_release(c: _Checker, raw: Any, path: str) -> Release:
    r = c.obj(raw, path)
    version = c.string(r.get("version"), f"{path}.version", max_len=64)
    if not versions.is_valid(version):
        raise c.fail(f"{path}.version", f"{version!r} is not a valid version (like 1.2.3)")
    size = r.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise c.fail(f"{path}.size", "must be a positive integer (bytes)")
    sha = c.string(r.get("sha256"), f"{path}.sha256", max_len=64)
    if not SHA256_RE.match(sha):
        raise c.fail(f"{path}.sha256", "must be 64 lowercase hex digits")
    date = c.string(r.get("date"), f"{path}.date", max_len=10)
    if not DATE_RE.match(date):
        raise c.fail(f"{path}.date", f"{date!r} is not a date like 2026-01-31")
    changelog = c.text(r.get("changelog", {"en": "-"}), f"{path}.changelog", max_len=4000)
    package = c.target(r.get("package"), f"{path}.package")
    return Release(version, package, size, sha, date, changelog)


def parse_app(
    c: _Checker, raw: Any, path: str, categories: Mapping[str, Any], store: str = ""
) -> App:
    a = c.obj(raw, path)
    app_id = c.ident(a.get("id"), f"{path}.id")
    kind = a.get("kind")
    if kind not in KINDS:
        raise c.fail(f"{path}.kind", f"must be one of {', '.join(KINDS)}")
    cats = c.strings(a.get("categories"), f"{path}.categories", max_items=5)
    if not cats:
        raise c.fail(f"{path}.categories", "needs at least one category")
    for cat in cats:
        if cat not in categories:
            raise c.fail(f"{path}.categories", f"unknown category {cat!r}")
    perms = c.strings(a.get("permissions", []), f"{path}.permissions")
    for p in perms:
        if p not in PERMISSIONS:
            raise c.fail(f"{path}.permissions", f"unknown permission {p!r}")
    releases = [
        parse_release(c, r, f"{path}.releases[{i}]") for i, r in enumerate(a.get("releases", []))
    ]
    releases.sort(key=lambda r: versions.Version(r.version), reverse=True)
    if len({versions.Version(r.version) for r in releases}) != len(releases):
        raise c.fail(f"{path}.releases", "lists the same version twice")
    url = c.url(a.get("url", ""), f"{path}.url")
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
    return App(
        id=app_id,
        name=c.text(a.get("name"), f"{path}.name", max_len=80),
        summary=c.text(a.get("summary"), f"{path}.summary", max_len=200),
        description=c.text(a.get("description"), f"{path}.description", max_len=20000),
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
    )


def parse_catalog(data: Any, *, where: str = "catalog/index.json", store: str = "") -> Catalog:
    """Validate a decoded catalogue index; raise ``CatalogError`` naming the bad field.

    ``store`` is the local id of the store it came from, recorded on every app.
    """
    with gc_paused():
        return _parse_catalog(data, where, store)


def _parse_catalog(data: Any, where: str, store: str) -> Catalog:
    c = _Checker(where)
    d = c.obj(data, "(top)")
    if d.get("format") != FORMAT:
        raise c.fail("format", f"unsupported catalogue format {d.get('format')!r}; update imapp")
    info = c.obj(d.get("store"), "store")
    store_id = c.ident(info.get("id"), "store.id")
    store_name = c.text(info.get("name"), "store.name", max_len=80)
    cats_raw = c.obj(d.get("categories"), "categories")
    categories = {c.ident(k, "categories"): c.text(v, f"categories.{k}", max_len=40)
                  for k, v in cats_raw.items()}
    apps_raw = d.get("apps")
    if not isinstance(apps_raw, list):
        raise c.fail("apps", "must be a list")
    apps = tuple(
        parse_app(c, a, f"apps[{i}]", categories, store) for i, a in enumerate(apps_raw)
    )
    seen: set[str] = set()
    for app in apps:
        if app.id in seen:
            raise c.fail("apps", f"the id {app.id!r} is used twice")
        seen.add(app.id)
    generated = c.string(d.get("generated", ""), "generated", max_len=40, empty=True)
    return Catalog(store_id, store_name, generated, categories, apps, store)
