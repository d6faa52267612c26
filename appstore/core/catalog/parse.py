"""The parser of ``catalog/index.json`` (docs/store-format.md): ``parse_catalog``.

The same field checks serve the publisher (which names the source file in its error) and the
client (which refuses a malformed catalogue even when it is correctly signed).

Malformed values (a wrong type, a bad id, version, date, URL or file name) refuse the whole
catalogue with a message naming the JSON path. Values that are well formed but unknown to this
client are ignored, so a store can add languages, kinds and permissions without breaking older
clients: an unknown language is dropped, an app of an unknown kind is skipped, an unknown
permission is recorded in ``App.unknown_permissions`` and never granted. ``strict=True`` (for
publishers) refuses them instead.

Every string is cleaned of control characters and Unicode bidi controls (see ``clean``).

Each field is tried on its fast path (``fields._plain_*``) first, then its full check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from appstore.core import versions
from appstore.core.bulk import gc_paused
from appstore.core.catalog.fields import (
    _LANG_SET,
    _Checker,
    _known_categories,
    _known_permissions,
    _plain_id,
    _plain_release,
    _plain_string,
    _plain_target,
    _plain_text,
    _plain_url,
    _real_date,
)
from appstore.core.catalog.models import (
    DATE_RE,
    FORMAT,
    GENERATED_RE,
    KINDS,
    LANG_CODE_RE,
    LANGS,
    MAX_SCREENSHOT_LANGS,
    MAX_SCREENSHOTS,
    PERMISSION_RE,
    PERMISSIONS,
    SHA256_RE,
    App,
    Catalog,
    Release,
    clean,
)
from appstore.core.errors import shorten


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
        cats = _categories(c, cats, path, categories)
    perms: list[str] = a.get("permissions", [])
    unknown: list[str] = []
    if not _known_permissions(perms):
        perms, unknown = _permissions(c, a, path)
    releases = _releases(c, a, path)
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
    if payee or (c.strict and "wallet.pay" in perms):
        _check_payee(c, payee, perms, path)
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


def _categories(c: _Checker, raw: Any, path: str, categories: Mapping[str, Any]) -> list[str]:
    """The full check of an app's ``categories``: 1 to 5 the catalogue defines."""
    cats = c.strings(raw, f"{path}.categories", max_items=5)
    if not cats:
        raise c.fail(f"{path}.categories", "needs at least one category")
    for cat in cats:
        if cat not in categories:
            raise c.fail(f"{path}.categories", f"unknown category {cat!r}")
    return cats


def _permissions(c: _Checker, a: Mapping[str, Any], path: str) -> tuple[list[str], list[str]]:
    """The full check of an app's ``permissions``: those this client knows, and the well-formed
    ones it does not (refused when strict)."""
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
    return perms, unknown


def _releases(c: _Checker, a: Mapping[str, Any], path: str) -> list[Release]:
    """An app's releases, newest first, each version once (as versions compare: 1.2 == 1.2.0)."""
    raw = a.get("releases", [])
    if type(raw) is not list:
        raw = c.items(a, "releases", path)  # the full check
    releases = [_plain_release(r) or parse_release(c, r, f"{path}.releases[{i}]")
                for i, r in enumerate(raw)]
    if len(releases) > 1:  # (one release has no order to sort and no twin)
        keys = [versions.sort_key(r.version) for r in releases]
        if len(set(keys)) != len(keys):
            raise c.fail(f"{path}.releases", "lists the same version twice")
        releases = [r for _, r in sorted(zip(keys, releases, strict=True), key=_first, reverse=True)]
    return releases


def _check_payee(c: _Checker, payee: str, perms: list[str], path: str) -> None:
    """A payee only with ``wallet.pay``; a publisher's ``wallet.pay`` only with a payee."""
    if payee and "wallet.pay" not in perms:
        raise c.fail(f"{path}.payee", "is only for a DApp with the wallet.pay permission")
    if c.strict and "wallet.pay" in perms and not payee:
        raise c.fail(f"{path}.payee", "a DApp with wallet.pay needs the BCD address it is paid to")


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
