"""The catalogue parser's fast paths (``fields._plain_*``) skip the full field checks for plain
values: they must never let through what the full checks refuse or clean. Hostile values are fed
to each, through the real parser (the exact message) and against the full check they stand in
for (a value a fast path accepts is one the full check returns unchanged)."""

import copy
from typing import Any

import pytest

from appstore.core.catalog import fields, parse
from appstore.core.catalog.fields import _Checker
from appstore.core.catalog.models import PERMISSIONS, App, Release
from appstore.core.catalog.parse import parse_catalog
from appstore.core.catalog.shards import parse_shard
from appstore.core.errors import CatalogError

SHA = "ab" * 32
PAYEE = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
WHERE = "catalog/index.json"
LONG = "word " * 40  # ASCII and over 100 characters: the translate branch of _plain_text


def _release(version: str = "1.0.0", **over: Any) -> dict[str, Any]:
    release: dict[str, Any] = {"version": version, "package": f"packages/alpha-{version}.zip",
                               "size": 100, "sha256": SHA, "date": "2026-01-02",
                               "changelog": {"en": "First", "zh_CN": "首个"}}
    release.update(over)
    return release


def _app(app_id: str = "org.test.alpha", **over: Any) -> dict[str, Any]:
    app: dict[str, Any] = {
        "id": app_id,
        "name": {"en": "Alpha", "zh_CN": "阿尔法"},
        "summary": {"en": "An app", "zh_CN": "一个应用"},
        "description": {"en": LONG + "\n\n" + LONG, "zh_CN": "说明。"},
        "categories": ["tools"],
        "kind": "web",
        "icon": f"icons/{app_id}.png",
        "screenshots": [f"screenshots/{app_id}/1.png"],
        "developer": "Test Dev",
        "website": "https://example.org",
        "license": "MIT",
        "permissions": ["storage"],
        "releases": [_release()],
    }
    app.update(over)
    return app


def _catalog(*apps: dict[str, Any]) -> dict[str, Any]:
    return {"format": 1, "store": {"id": "teststore", "name": {"en": "Test Store"}},
            "categories": {"tools": {"en": "Tools"}, "games": {"en": "Games"}},
            "apps": list(apps) if apps else [_app()]}


def _error(data: dict[str, Any], *, strict: bool = False) -> str:
    with pytest.raises(CatalogError) as err:
        parse_catalog(data, strict=strict)
    return str(err.value)


def _parsed(app: dict[str, Any], *, strict: bool = False) -> App:
    [parsed] = parse_catalog(_catalog(app), strict=strict).apps
    return parsed


# -- the plain case: every field where it belongs ---------------------------------------------

def test_a_plain_app_is_built_field_by_field() -> None:
    raw = _app(permissions=["storage", "wallet.pay"], payee=PAYEE, featured=True)
    app = _parsed(raw)
    assert app == App(
        id="org.test.alpha", name=raw["name"], summary=raw["summary"],
        description=raw["description"], categories=("tools",), kind="web",
        icon="icons/org.test.alpha.png", screenshots=("screenshots/org.test.alpha/1.png",),
        developer="Test Dev", website="https://example.org", license="MIT",
        permissions=("storage", "wallet.pay"),
        releases=(Release("1.0.0", "packages/alpha-1.0.0.zip", 100, SHA, "2026-01-02",
                          {"en": "First", "zh_CN": "首个"}),),
        url="", featured=True, store="", unknown_permissions=(), payee=PAYEE)
    link = _parsed(_app(kind="link", url="http://127.0.0.1:8080/", releases=[], website=""))
    assert (link.url, link.website, link.releases) == ("http://127.0.0.1:8080/", "", ())
    # no changelog: the default one, a dict of its own for each release
    no_log = {k: v for k, v in _release().items() if k != "changelog"}
    a, b = parse_catalog(_catalog(_app(releases=[no_log]), _app("org.test.b", releases=[no_log]))).apps
    assert a.releases[0].changelog == {"en": "-"}
    assert a.releases[0].changelog is not b.releases[0].changelog


# -- texts: cleaned, never passed through as they came ----------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("Pay\u202eLAP\u202c Wallet", "PayLAP Wallet"),  # bidi override and pop
    ("Alpha\u2066\u2069", "Alpha"),  # isolates
    ("Al\u200fpha\u061c", "Alpha"),  # RLM, ALM
    ("Al\x00pha\x07", "Alpha"),  # C0 controls
    ("Al\x85pha\x9b", "Alpha"),  # C1 controls
    ("Al\x7fpha", "Alpha"),  # DEL
    ("Two\nlines\tand tab", "Twolinesand tab"),  # a one-line text loses newlines and tabs
    ("Alpha\u00a0\u200b\u2028", "Alpha\u00a0\u200b\u2028"),  # not printable, yet nothing to remove
])
def test_a_name_is_cleaned(text: str, want: str) -> None:
    assert _parsed(_app(name={"en": text, "zh_CN": text})).name == {"en": want, "zh_CN": want}


@pytest.mark.parametrize(("text", "want"), [
    (LONG + "\r\n" + LONG, LONG + "\n" + LONG),  # CR LF and lone CR become newlines
    (LONG + "\r" + LONG, LONG + "\n" + LONG),
    (LONG + "\x01\x1b[31m", LONG + "[31m"),
    (LONG + "\x7f", LONG),
    (LONG + "\u202e", LONG),
    (LONG + "é\x0b", LONG + "é"),  # not ASCII: the isprintable branch
])
def test_a_long_description_is_cleaned(text: str, want: str) -> None:
    app = _parsed(_app(description={"en": text}))
    assert app.description == {"en": want}
    changelog = _parsed(_app(releases=[_release(changelog={"en": text})])).releases[0].changelog
    assert changelog == {"en": want}


def test_a_plain_text_is_kept_as_it_came() -> None:
    raw = _app()
    app = _parsed(raw)
    assert app.name is raw["name"] and app.description is raw["description"]
    assert app.releases[0].changelog is raw["releases"][0]["changelog"]


@pytest.mark.parametrize(("name", "problem"), [
    ({"en": "A" * 81}, "apps[0].name.en: is longer than 80 characters"),
    ({"en": "Alpha", "zh_CN": "阿" * 81}, "apps[0].name.zh_CN: is longer than 80 characters"),
    ({"en": " \t "}, "apps[0].name.en: must not be empty"),
    ({"en": ""}, "apps[0].name.en: must not be empty"),
    ({"en": "\u202e\u202c\x00"}, "apps[0].name.en: must not be empty"),
    ({"en": 5}, "apps[0].name.en: must be a string"),
    ({"en": None}, "apps[0].name.en: must be a string"),
    ({"en": ["Alpha"]}, "apps[0].name.en: must be a string"),
    ({"en": "Alpha", "fr": 5}, "apps[0].name.fr: must be a string"),
    ({"zh_CN": "阿尔法"}, "apps[0].name: needs an English text under 'en'"),
    ({}, "apps[0].name: needs an English text under 'en'"),
    ("Alpha", "apps[0].name: must be an object"),
    (["en", "Alpha"], "apps[0].name: must be an object"),
    (None, "apps[0].name: must be an object"),
])
def test_a_bad_name_is_refused(name: Any, problem: str) -> None:
    assert _error(_catalog(_app(name=name))) == f"{WHERE}: {problem}"


def test_texts_are_refused_at_their_length() -> None:
    assert _error(_catalog(_app(summary={"en": "s" * 201}))) == \
        f"{WHERE}: apps[0].summary.en: is longer than 200 characters"
    assert _error(_catalog(_app(description={"en": LONG * 100 + "x" * 1000}))) == \
        f"{WHERE}: apps[0].description.en: is longer than 20000 characters"
    log = _release(changelog={"en": "c" * 4001})
    assert _error(_catalog(_app(releases=[log]))) == \
        f"{WHERE}: apps[0].releases[0].changelog.en: is longer than 4000 characters"
    # the length that counts is the cleaned one
    assert _parsed(_app(name={"en": "A" * 80 + "\u200e" * 10})).name == {"en": "A" * 80}


def test_unknown_language_dropped_or_refused_when_strict() -> None:
    app = _app(name={"en": "Alpha", "fr": "Alpha FR"})
    assert _parsed(app).name == {"en": "Alpha"}
    assert _error(_catalog(app), strict=True) == \
        f"{WHERE}: apps[0].name.fr: unknown language (use one of en, zh_CN)"
    assert _error(_catalog(_app(summary={"en": "x", "fr\u202e": "y"})), strict=True) == \
        f"{WHERE}: apps[0].summary.fr: unknown language (use one of en, zh_CN)"


# -- strings, ids, files and URLs ---------------------------------------------------------------

def test_developer_and_licence_are_cleaned_or_refused() -> None:
    app = _parsed(_app(developer="Evil\x00 Dev\u200e", license="MIT\u202e"))
    assert (app.developer, app.license) == ("Evil Dev", "MIT")
    assert _error(_catalog(_app(developer="D" * 121))) == \
        f"{WHERE}: apps[0].developer: is longer than 120 characters"
    assert _error(_catalog(_app(developer=" "))) == f"{WHERE}: apps[0].developer: must not be empty"
    assert _error(_catalog(_app(developer=7))) == f"{WHERE}: apps[0].developer: must be a string"
    assert _error(_catalog(_app(license="L" * 65))) == \
        f"{WHERE}: apps[0].license: is longer than 64 characters"
    assert _error(_catalog(_app(license=None))) == f"{WHERE}: apps[0].license: must be a string"


@pytest.mark.parametrize(("app_id", "problem"), [
    ("Org.test", "'Org.test' is not a valid id (lowercase letters, digits, '.' and '-')"),
    ("org..test", "'org..test' is not a valid id (lowercase letters, digits, '.' and '-')"),
    ("org.test\n", "'org.test\\n' is not a valid id (lowercase letters, digits, '.' and '-')"),
    ("org.\u202etest", "'org.\\u202etest' is not a valid id (lowercase letters, digits, '.' and '-')"),
    ("a" * 65, "is longer than 64 characters"),
    ("", "must not be empty"),
    (5, "must be a string"),
])
def test_a_bad_id_is_refused(app_id: Any, problem: str) -> None:
    assert _error(_catalog(_app(app_id))) == f"{WHERE}: apps[0].id: {problem}"


@pytest.mark.parametrize(("icon", "problem"), [
    ("icons/../root.png", "'icons/../root.png' is not a valid file name in the store"),
    ("..", "'..' is not a valid file name in the store"),
    ("/icons/a.png", "'/icons/a.png' is not a valid file name in the store"),
    ("icons//a.png", "'icons//a.png' is not a valid file name in the store"),
    ("icons/a.png/", "'icons/a.png/' is not a valid file name in the store"),
    ("icons/a b.png", "'icons/a b.png' is not a valid file name in the store"),
    ("icons/\u202ea.png", "'icons/\\u202ea.png' is not a valid file name in the store"),
    ("i" * 301, "is longer than 300 characters"),
    ("", "must not be empty"),
    (None, "must be a string"),
])
def test_a_bad_file_name_is_refused(icon: Any, problem: str) -> None:
    assert _error(_catalog(_app(icon=icon))) == f"{WHERE}: apps[0].icon: {problem}"
    shots = ["screenshots/1.png", icon]
    assert _error(_catalog(_app(screenshots=shots))) == f"{WHERE}: apps[0].screenshots[1]: {problem}"
    package = _release(package=icon)
    assert _error(_catalog(_app(releases=[package]))) == \
        f"{WHERE}: apps[0].releases[0].package: {problem}"
    # ".." inside a name is not a parent folder
    assert _parsed(_app(icon="icons/a..b.png")).icon == "icons/a..b.png"


def test_bad_urls_are_refused() -> None:
    assert _error(_catalog(_app(website="https://user@example.org/"))) == (
        f"{WHERE}: apps[0].website: 'https://user@example.org/' must not hold a user name or "
        "password (user@host)")
    assert _error(_catalog(_app(website="https://example.org/\u202e"))) == \
        (f"{WHERE}: apps[0].website: 'https://example.org/\\u202e' must not hold spaces, quotes, "
         "backticks, angle brackets, backslashes or control characters")
    assert _error(_catalog(_app(website=5))) == f"{WHERE}: apps[0].website: must be a string"
    assert _error(_catalog(_app(kind="link", releases=[], url="http://example.org/"))) == \
        (f"{WHERE}: apps[0].url: 'http://example.org/' must use https (http only for 127.0.0.1 "
         "or localhost, while developing)")
    assert _error(_catalog(_app(kind="link", releases=[], url=""))) == \
        f"{WHERE}: apps[0].url: a link DApp needs the https URL it opens"
    # the same URL, refused as a link and accepted as a website (the cache keeps them apart)
    assert _parsed(_app(website="http://example.org/")).website == "http://example.org/"
    assert "must use https" in _error(_catalog(_app(kind="link", url="http://example.org/")))


# -- categories and permissions ------------------------------------------------------------------

def test_bad_categories_are_refused() -> None:
    def problem(categories: Any) -> str:
        return _error(_catalog(_app(categories=categories))).removeprefix(f"{WHERE}: ")
    assert problem(["tools", "chat"]) == "apps[0].categories: unknown category 'chat'"
    assert problem([]) == "apps[0].categories: needs at least one category"
    assert problem(["tools"] * 6) == "apps[0].categories: must be a list of at most 5 strings"
    assert problem("tools") == "apps[0].categories: must be a list of at most 5 strings"
    assert problem(["tools", 5]) == "apps[0].categories[1]: must be a string"
    assert problem(["tools", " "]) == "apps[0].categories[1]: must not be empty"
    assert _parsed(_app(categories=["tools", "games"])).categories == ("tools", "games")


def test_unknown_permissions_recorded_or_refused_when_strict() -> None:
    app = _parsed(_app(permissions=["storage", "camera", "network"]))
    assert (app.permissions, app.unknown_permissions) == (("storage", "network"), ("camera",))
    assert _error(_catalog(_app(permissions=["camera"])), strict=True) == \
        f"{WHERE}: apps[0].permissions: unknown permission 'camera'"
    assert _error(_catalog(_app(permissions=["storage", "Steal!"]))) == \
        f"{WHERE}: apps[0].permissions[1]: 'Steal!' is not a permission name"
    assert _error(_catalog(_app(permissions=["storage"] * 21))) == \
        f"{WHERE}: apps[0].permissions: must be a list of at most 20 strings"
    assert _error(_catalog(_app(permissions=[None]))) == \
        f"{WHERE}: apps[0].permissions[0]: must be a string"


def test_payee_needs_wallet_pay_and_a_clean_address() -> None:
    assert _error(_catalog(_app(payee=PAYEE))) == \
        f"{WHERE}: apps[0].payee: is only for a DApp with the wallet.pay permission"
    assert _error(_catalog(_app(permissions=["wallet.pay"], payee=f" {PAYEE}"))) == \
        f"{WHERE}: apps[0].payee: must not have spaces around it"
    assert _error(_catalog(_app(permissions=["wallet.pay"])), strict=True) == \
        f"{WHERE}: apps[0].payee: a DApp with wallet.pay needs the BCD address it is paid to"
    assert "is not a BCD address" in _error(_catalog(_app(permissions=["wallet.pay"],
                                                          payee=PAYEE[:-1] + "3")))


# -- releases ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "problem"), [
    ("sha256", SHA.upper(), "must be 64 lowercase hex digits"),
    ("sha256", SHA[:-1], "must be 64 lowercase hex digits"),
    ("sha256", "g" * 64, "must be 64 lowercase hex digits"),
    ("sha256", SHA + "a", "is longer than 64 characters"),
    ("sha256", None, "must be a string"),
    ("version", "01.0", "'01.0' is not a valid version (like 1.2.3)"),
    ("version", "1.0.0.0.0", "'1.0.0.0.0' is not a valid version (like 1.2.3)"),
    ("version", "1.0.0\n", "'1.0.0\\n' is not a valid version (like 1.2.3)"),
    ("version", "1.0-", "'1.0-' is not a valid version (like 1.2.3)"),
    ("version", 1, "must be a string"),
    ("date", "2026-02-30", "'2026-02-30' is not a date like 2026-01-31"),
    ("date", "2026-1-2", "'2026-1-2' is not a date like 2026-01-31"),
    ("date", "2026-01-02\n", "is longer than 10 characters"),
    ("date", "", "must not be empty"),
    ("size", 0, "must be a positive integer (bytes)"),
    ("size", -1, "must be a positive integer (bytes)"),
    ("size", True, "must be a positive integer (bytes)"),
    ("size", 1.5, "must be a positive integer (bytes)"),
    ("size", "100", "must be a positive integer (bytes)"),
])
def test_a_bad_release_field_is_refused(field: str, value: Any, problem: str) -> None:
    releases = [_release("0.9"), _release(**{field: value})]
    assert _error(_catalog(_app(releases=releases))) == \
        f"{WHERE}: apps[0].releases[1].{field}: {problem}"


def test_bad_releases_are_refused() -> None:
    assert _error(_catalog(_app(releases="1.0"))) == f"{WHERE}: apps[0].releases: must be a list"
    assert _error(_catalog(_app(releases=[5]))) == f"{WHERE}: apps[0].releases[0]: must be an object"
    assert _error(_catalog(_app(releases=[]))) == \
        f"{WHERE}: apps[0].releases: a web DApp needs at least one release"


@pytest.mark.parametrize("twins", [
    ("1.2", "1.2.0"),
    ("1", "1.0.0.0"),
    ("1.0.10", "1.0.1\u0660"),  # an Arabic-Indic zero is a digit to the version pattern
    ("2.0-beta.1", "2.0.0-beta.1"),
])
def test_the_same_version_twice_is_refused_however_spelt(twins: tuple[str, str]) -> None:
    releases = [_release(twins[0]), _release("0.1"), _release(twins[1], package="packages/a.zip")]
    assert _error(_catalog(_app(releases=releases))) == \
        f"{WHERE}: apps[0].releases: lists the same version twice"


def test_releases_newest_first() -> None:
    listed = ["1.0", "2.0-beta", "1.10", "2.0", "1.9", "2.0-beta.2", "2.0-alpha"]
    app = _parsed(_app(releases=[_release(v) for v in listed]))
    assert [r.version for r in app.releases] == \
        ["2.0", "2.0-beta.2", "2.0-beta", "2.0-alpha", "1.10", "1.9", "1.0"]


# -- the catalogue and its shards -----------------------------------------------------------------

def test_an_id_twice_is_refused_and_named() -> None:
    apps = [_app("org.test.a"), _app("org.test.b"), _app("org.test.c"), _app("org.test.b")]
    assert _error(_catalog(*apps)) == f"{WHERE}: apps: the id 'org.test.b' is used twice"


def test_a_shard_names_itself_and_the_first_bad_app() -> None:
    categories = {"tools": {"en": "Tools"}}
    good, bad = _app("org.test.a"), _app("org.test.b", name={"en": "B" * 81})
    assert [a.id for a in parse_shard({"apps": [good]}, "catalog/shards/0.json", categories)] == \
        ["org.test.a"]
    with pytest.raises(CatalogError) as err:
        parse_shard({"apps": [good, bad, _app(5)]}, "catalog/shards/0.json", categories)
    assert str(err.value) == "catalog/shards/0.json: apps[1].name.en: is longer than 80 characters"
    # the first error is the one the full checks find first, wherever the fast paths stop
    app = _app(icon="../x", name={"en": "\u202e"}, payee=PAYEE)
    assert _error(_catalog(app)) == \
        f"{WHERE}: apps[0].payee: is only for a DApp with the wallet.pay permission"


# -- each fast path against the full check it stands in for --------------------------------------

HOSTILE: list[Any] = [
    "", " ", "\t", "a", "Alpha", " a", "a ", "x" * 64, "x" * 65, "x" * 81, "x" * 121, "x" * 201,
    "x" * 301, "x" * 501, "a\u202eb", "\u202e", "a\x00b", "a\x7fb", "a\x85b", "a\u200bb",
    "a\u00a0b", "a\u2028b", "a\nb", "a\r\nb", "a\rb", "a\tb", "\u200e", "a\ud800b", LONG,
    LONG + "\x01", LONG + "\n", LONG + "\r", LONG + "\t", LONG + "\x7f", LONG + "é",
    "\n" * 150, "org.test", "org..test", "Org", "tools", "storage", "camera", "wallet.pay",
    "icons/a.png", "/a", "a//b", "a/../b", "..", "a/..b", "https://example.org",
    "http://example.org", "http://localhost/x", "https://u@example.org", "https://ex.org:99999",
    "ftp://example.org", "https://", "https://example.org/\"", None, 0, 5, True, 1.5, [], {},
    ["tools"], ["tools", "tools"], ["tools"] * 6, ["storage"], ["storage", "camera"],
    ["storage"] * 21, [5], [" "],
]
TEXTS: list[Any] = [{"en": s} for s in HOSTILE] + [{"en": "ok", "zh_CN": s} for s in HOSTILE] + [
    {"en": "ok", "fr": "x"}, {"zh_CN": "x"}, {}, {"en": "ok", "fr\x00": 5}, "en", ["en"], None]


def _full(check: Any, value: Any) -> Any:
    """What a full check makes of ``value``: the value returned, or the error raised."""
    try:
        return check(value)
    except CatalogError as e:
        return e


class _Dict(dict[str, Any]):
    """A release the fast path does not take (it wants a plain dict): the full checks run."""


@pytest.mark.parametrize("strict", [False, True])
def test_each_fast_path_accepts_only_what_its_full_check_returns_unchanged(strict: bool) -> None:
    c = _Checker(WHERE, strict=strict)
    categories = {"tools": {}, "x" * 65: {}, " ": {}}  # keys the full check refuses, too

    def known_categories(v: Any) -> Any:  # parse_app's check: strings, 1 or more, all known
        cats = c.strings(v, "p", max_items=5)
        return cats if cats and all(cat in categories for cat in cats) else None

    def known_permissions(v: Any) -> Any:  # parse_app's check, when none is unknown
        perms = c.strings(v, "p")
        return perms if all(p in PERMISSIONS for p in perms) else None

    pairs: list[tuple[Any, Any, list[Any]]] = [
        (fields._plain_id, lambda v: c.ident(v, "p"), HOSTILE),
        (fields._plain_target, lambda v: c.target(v, "p"), HOSTILE),
        (lambda v: fields._plain_url(v, False), lambda v: c.url(v, "p"), HOSTILE),
        (lambda v: fields._plain_url(v, True), lambda v: c.url(v, "p", link=True), HOSTILE),
        (lambda v: fields._plain_string(v, 120), lambda v: c.string(v, "p", max_len=120), HOSTILE),
        (lambda v: fields._plain_text(v, 80), lambda v: c.text(v, "p", max_len=80), TEXTS),
        (lambda v: fields._plain_text(v, 200, True),
         lambda v: c.text(v, "p", max_len=200, multiline=True), TEXTS),
        (lambda v: fields._known_categories(v, categories), known_categories,
         HOSTILE + [["x" * 65], [" "]]),
        (fields._known_permissions, known_permissions, HOSTILE),
    ]
    for fast, full, values in pairs:
        for value in values:
            if fast(value):
                result = _full(full, copy.deepcopy(value))
                assert result == value and type(result) is type(value), (value, result)
    # a release's fields: the fast path's release is the one the full checks make, or none
    valid = {"version": ["1.2.3", "1.0-rc.1", "1.0.1\u0660"], "sha256": [SHA], "date": ["2026-01-02"],
             "size": [1, 10**12]}
    for field in ("version", "sha256", "date", "size", "package", "changelog"):
        for value in HOSTILE + TEXTS + valid.get(field, []):
            raw = _release(**{field: value})
            fast = fields._plain_release(raw)
            full = _full(lambda r: parse.parse_release(c, r, "p"), _Dict(raw))
            if fast is not None:
                assert fast == full, (field, value, full)
            else:  # (what the full check accepts the fast path may leave to it)
                assert isinstance(full, CatalogError) or field in ("changelog", "package"), value


@pytest.mark.parametrize("text", ["a\n" * 15000, "a\t" * 15000, "ab\n" * 7000])
def test_a_long_multiline_text_is_refused_however_many_newlines_it_holds(text: str) -> None:
    """The length of a description counts its newlines and tabs (they were once dropped before
    the length was checked, so 30,000 characters passed a 20,000 limit)."""
    assert len(text) > 20000
    assert _error(_catalog(_app(description={"en": text}))) == (
        f"{WHERE}: apps[0].description.en: is longer than 20000 characters")
