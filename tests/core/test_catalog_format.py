"""What docs/store-format.md promises about the catalogue, checked on the real parser, the real
publisher and the real client: unknown values ignored, malformed ones refused, strings cleaned,
URLs restricted, releases and images checked against what the store signed."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog.checks import (
    MAX_ICON,
    MAX_PACKAGE,
    MAX_SCREENSHOT,
    check_image,
    check_image_length,
    check_release_target,
)
from appstore.core.catalog.models import Release
from appstore.core.catalog.parse import parse_catalog
from appstore.core.catalog.richtext import to_html
from appstore.core.errors import CatalogError, StoreSecurityError
from appstore.core.paths import Paths
from appstore.core.publish import source
from appstore.core.publish.builder import publish
from appstore.core.publish.source import StoreContent, load_source
from appstore.core.store.manager import Stores
from tests.conftest import Published
from tests.storekit import png

SHA = "ab" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def _app(app_id: str = "org.test.alpha", **over: Any) -> dict[str, Any]:
    app: dict[str, Any] = {
        "id": app_id,
        "name": {"en": "Alpha", "zh_CN": "阿尔法"},
        "summary": {"en": "An app", "zh_CN": "一个应用"},
        "description": {"en": "About it.", "zh_CN": "说明。"},
        "categories": ["tools"],
        "kind": "web",
        "icon": f"icons/{app_id}.png",
        "screenshots": [f"screenshots/{app_id}/1.png"],
        "developer": "Test Dev",
        "website": "https://example.org",
        "license": "MIT",
        "permissions": ["storage"],
        "releases": [{"version": "1.0.0", "package": f"packages/{app_id}/{app_id}-1.0.0.zip",
                      "size": 100, "sha256": SHA, "date": "2026-01-02",
                      "changelog": {"en": "First", "zh_CN": "首个"}}],
    }
    app.update(over)
    return app


def _catalog(*apps: dict[str, Any], **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": 1,
        "store": {"id": "teststore", "name": {"en": "Test Store", "zh_CN": "测试商店"}},
        "categories": {"tools": {"en": "Tools", "zh_CN": "工具"}},
        "apps": list(apps) if apps else [_app()],
    }
    data.update(over)
    return data


def _refused(data: dict[str, Any], path: str, **kw: Any) -> str:
    with pytest.raises(CatalogError) as err:
        parse_catalog(data, **kw)
    assert f": {path}: " in str(err.value), str(err.value)
    return str(err.value)


# -- unknown values: ignored, so stores can grow without breaking older clients ---------------

def test_unknown_language_dropped_english_still_required() -> None:
    app = _app(name={"en": "Alpha", "zh_CN": "阿尔法", "fr": "Alpha FR", "pt_BR": "Alfa"})
    data = _catalog(app)
    data["store"]["name"]["de"] = "Teststore"
    data["categories"]["tools"]["ja"] = "ツール"
    catalog = parse_catalog(data)
    assert dict(catalog.apps[0].name) == {"en": "Alpha", "zh_CN": "阿尔法"}
    assert dict(catalog.store_name) == {"en": "Test Store", "zh_CN": "测试商店"}
    assert dict(catalog.categories["tools"]) == {"en": "Tools", "zh_CN": "工具"}
    assert "fr" in data["apps"][0]["name"]  # the input is not changed
    # a publisher asks for strictness and is told
    assert "unknown language" in _refused(data, "store.name.de", strict=True)
    assert "unknown language" in _refused(_catalog(app), "apps[0].name.fr", strict=True)
    # English stays required, and an unknown language's text is still a text
    _refused(_catalog(_app(name={"zh_CN": "阿尔法", "fr": "Alpha"})), "apps[0].name")
    _refused(_catalog(_app(name={"en": "Alpha", "fr": 5})), "apps[0].name.fr")


def test_unknown_kind_skipped_rest_used() -> None:
    future = {"id": "org.test.native", "kind": "native", "binary": {"linux": "x"}}  # no other fields
    link_app = _app("org.test.link", kind="link", url="https://example.org/dapp", releases=[])
    catalog = parse_catalog(_catalog(_app(), future, link_app))
    assert [a.id for a in catalog.apps] == ["org.test.alpha", "org.test.link"]
    assert catalog.apps[1].url == "https://example.org/dapp"
    _refused(_catalog(_app(), future), "apps[1].kind", strict=True)
    # a kind that is not even a string is malformed, not unknown
    assert "must be a string" in _refused(_catalog(_app(), dict(future, kind=7)), "apps[1].kind")
    _refused(_catalog(_app(), dict(future, kind=None)), "apps[1].kind")
    # the skipped app still needs a valid id
    _refused(_catalog(_app(), dict(future, id="Not An Id")), "apps[1].id")


def test_unknown_permission_recorded_but_not_granted(tmp_path: Path) -> None:
    app = _app(permissions=["storage", "wallet.stake", "network"])
    catalog = parse_catalog(_catalog(app))
    [parsed] = catalog.apps
    assert parsed.permissions == ("storage", "network")
    assert parsed.unknown_permissions == ("wallet.stake",)
    assert parsed.to_json()["permissions"] == ["storage", "network", "wallet.stake"]
    # and the fast cache keeps it (it marshals App rows by position)
    listing, details = catalog_cache.dump(catalog, SHA)
    (tmp_path / "d").write_bytes(details)
    cached = catalog_cache.load(listing, SHA, "teststore", tmp_path / "d")
    assert cached is not None and cached.apps[0].unknown_permissions == ("wallet.stake",)
    assert cached.apps[0].permissions == ("storage", "network")
    _refused(_catalog(app), "apps[0].permissions", strict=True)
    # a name that is not a permission name at all is malformed
    _refused(_catalog(_app(permissions=["storage", "Steal Everything!"])), "apps[0].permissions[1]")
    _refused(_catalog(_app(permissions="storage")), "apps[0].permissions")


def test_catalogue_older_code_refused_is_now_accepted_with_the_rest_intact() -> None:
    plain = _catalog(_app(), _app("org.test.beta"))
    newer = copy.deepcopy(plain)
    newer["apps"][0]["summary"]["ko"] = "앱"
    newer["apps"][1]["permissions"].append("camera")
    newer["apps"].insert(1, _app("org.test.vr", kind="vr-world"))
    newer["store"]["name"]["es"] = "Tienda"
    base, grown = parse_catalog(plain), parse_catalog(newer)
    assert [a.id for a in grown.apps] == ["org.test.alpha", "org.test.beta"]
    assert grown.apps[0] == base.apps[0]
    assert grown.apps[1].unknown_permissions == ("camera",)
    assert grown.apps[1].permissions == base.apps[1].permissions
    assert dict(grown.store_name) == dict(base.store_name)
    _refused(newer, "store.name.es", strict=True)  # a publisher is told about the first one


# -- malformed values: refused, naming the JSON path ------------------------------------------

@pytest.mark.parametrize("date", ["2026-13-45", "2026-02-30", "2025-02-29", "2026-1-5",
                                  "2026-01-31\n", "31/01/2026", ""])
def test_impossible_or_malformed_date_refused(date: str) -> None:
    app = _app()
    app["releases"][0]["date"] = date
    _refused(_catalog(app), "apps[0].releases[0].date")


def test_real_dates_accepted() -> None:
    app = _app()
    app["releases"][0]["date"] = "2024-02-29"
    assert parse_catalog(_catalog(app)).apps[0].releases[0].date == "2024-02-29"


@pytest.mark.parametrize("generated, ok", [
    ("", True), ("2026-01-31T12:00:00Z", True), ("2026-01-31", False),
    ("2026-02-30T00:00:00Z", False), ("2026-01-31T12:00:00+08:00", False), ("yesterday", False),
])
def test_generated_is_an_optional_utc_time(generated: str, ok: bool) -> None:
    data = _catalog(generated=generated)
    if ok:
        assert parse_catalog(data).generated == generated
    else:
        _refused(data, "generated")


def test_generated_defaults_to_empty() -> None:
    assert parse_catalog(_catalog()).generated == ""


@pytest.mark.parametrize("field, value, path", [
    ("id", "org.test.alpha\n", "apps[0].id"),
    ("id", "org.te\u202est", "apps[0].id"),
    ("icon", "icons/\u202egnp.png", "apps[0].icon"),
    ("icon", "icons/../../etc/passwd", "apps[0].icon"),
    ("featured", "yes", "apps[0].featured"),
    ("releases", {"version": "1.0.0"}, "apps[0].releases"),
])
def test_malformed_fields_refused(field: str, value: Any, path: str) -> None:
    _refused(_catalog(_app(**{field: value})), path)


@pytest.mark.parametrize("field, value", [
    ("version", "1.0.0\n"), ("version", "01.0"), ("size", True), ("size", 0),
    ("sha256", SHA.upper()), ("sha256", SHA + "\n"),
])
def test_malformed_release_fields_refused(field: str, value: Any) -> None:
    app = _app()
    app["releases"][0][field] = value
    _refused(_catalog(app), f"apps[0].releases[0].{field}")


def test_format_must_be_the_number_one() -> None:
    _refused(_catalog(format=True), "format")
    _refused(_catalog(format=2), "format")


# -- strings: control and bidi characters removed ---------------------------------------------

def test_bidi_and_control_characters_stripped() -> None:
    app = _app(
        name={"en": "Pay\u202eLAP\u202c Wallet\u2066\u2069", "zh_CN": "钱包\u200f"},
        summary={"en": "One\nline\tonly\x07"},
        description={"en": "Para one\r\nstill one\twith tab\x1b[31m\n\nPara two\u2067\u0085"},
        developer="Evil\x00 Dev\u200e",
        license="MIT\x9b",
    )
    app["releases"][0]["changelog"] = {"en": "Fixed:\n\t- a bug\u202d\x7f"}
    data = _catalog(app)
    data["categories"]["tools"]["en"] = "Too\u2068ls"
    catalog = parse_catalog(data)
    [a] = catalog.apps
    assert dict(a.name) == {"en": "PayLAP Wallet", "zh_CN": "钱包"}
    assert a.summary["en"] == "Onelineonly"  # one-line texts lose newlines and tabs too
    assert a.description["en"] == "Para one\nstill one\twith tab[31m\n\nPara two"
    assert a.developer == "Evil Dev" and a.license == "MIT"
    assert a.releases[0].changelog["en"] == "Fixed:\n\t- a bug"
    assert catalog.categories["tools"]["en"] == "Tools"
    # nothing left to show is an empty name
    _refused(_catalog(_app(name={"en": "\u202e\u202c\x00"})), "apps[0].name.en")


def test_cleaned_text_length_is_what_counts() -> None:
    name = "A" * 80 + "\u200e" * 10  # 90 characters, 80 once cleaned
    assert parse_catalog(_catalog(_app(name={"en": name}))).apps[0].name["en"] == "A" * 80
    _refused(_catalog(_app(name={"en": "A" * 81})), "apps[0].name.en")


# -- URLs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    'https://example.org/"onmouseover="x',
    "https://example.org/'x",
    "https://example.org/<script>",
    "https://example.org/>",
    "https://example.org/`x`",
    "javascript:alert(1)",
    "JAVASCRIPT://example.org/%0aalert(1)",
    "data:text/html,<b>x</b>",
    "ftp://example.org/file",
    "https://",
    "https:///path/only",
    "http:example.org",
    "https://example.org/a b",
    "https://example.org/\ttab",
    "https://example.org\\@evil.org",
    "https://good.example@evil.org/",
    "https://example.org/\u202etxt.exe",
    "https://example.org/\x00",
    "https://example.org:99999/",
    "https://example.org/" + "a" * 481,
])
def test_bad_website_refused(url: str) -> None:
    _refused(_catalog(_app(website=url)), "apps[0].website")
    _refused(_catalog(_app("org.test.link", kind="link", url=url, releases=[])), "apps[0].url")


@pytest.mark.parametrize("url", [
    "https://example.org", "http://example.org/apps/x?a=1&b=2#top", "https://例子.测试/路径",
    "https://example.org:8443/" + "a" * (500 - 25),
])
def test_good_website_accepted(url: str) -> None:
    assert parse_catalog(_catalog(_app(website=url))).apps[0].website == url


def test_website_is_optional() -> None:
    app = _app()
    del app["website"]
    assert parse_catalog(_catalog(app)).apps[0].website == ""


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/dapp", True),
    ("http://127.0.0.1:8080/dapp", True),
    ("http://localhost:3000/", True),
    ("http://LOCALHOST/", True),
    ("http://[::1]:8000/", True),
    ("http://example.org/dapp", False),
    ("http://127.0.0.1.evil.org/", False),
    ("http://localhost.evil.org/", False),
    ("http://10.0.0.1/", False),
])
def test_link_dapp_url_https_only_except_this_computer(url: str, ok: bool) -> None:
    data = _catalog(_app("org.test.link", kind="link", url=url, releases=[]))
    if ok:
        assert parse_catalog(data).apps[0].url == url
    else:
        assert "https" in _refused(data, "apps[0].url")


def test_link_dapp_needs_a_url() -> None:
    _refused(_catalog(_app("org.test.link", kind="link", releases=[])), "apps[0].url")


def test_description_links_follow_the_url_rules() -> None:
    out = to_html('<p lang="en" title="t">See <a href="https://example.org/?a=1&amp;b=2" '
                  'title="x">docs</a>, <a href="https://good.example@evil.example/">good</a>, '
                  '<a href="/relative">rel</a>, <a href="javascript:alert(1)">js</a>.</p>')
    assert out == ('<p>See <a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer">'
                   'docs</a> (example.org), <a rel="noopener noreferrer">good</a>, '
                   '<a rel="noopener noreferrer">'
                   'rel</a>, <a rel="noopener noreferrer">js</a>.</p>')


# -- checks on signed targets -----------------------------------------------------------------

def _release(size: int = 100, sha: str = SHA) -> Release:
    return Release("1.0.0", "packages/org.test.alpha/org.test.alpha-1.0.0.zip", size, sha,
                   "2026-01-02")


def test_check_release_target_match_and_mismatch() -> None:
    check_release_target(_release(), 100, SHA)
    check_release_target(_release(), 100, SHA.upper())  # hex case does not matter
    with pytest.raises(StoreSecurityError, match="not downloaded"):
        check_release_target(_release(), 101, SHA)
    with pytest.raises(StoreSecurityError, match="not downloaded"):
        check_release_target(_release(), 100, "cd" * 32)
    with pytest.raises(StoreSecurityError, match="no sha256"):
        check_release_target(_release(), 100, "")
    big = _release(MAX_PACKAGE + 1)
    with pytest.raises(StoreSecurityError, match="over the limit"):
        check_release_target(big, MAX_PACKAGE + 1, SHA)
    check_release_target(_release(MAX_PACKAGE), MAX_PACKAGE, SHA)


def test_check_image_kinds_and_caps() -> None:
    icon = png()
    check_image(icon, "icon")
    check_image(icon, "screenshot")
    check_image(JPEG, "screenshot")
    with pytest.raises(StoreSecurityError, match="not a PNG image"):
        check_image(JPEG, "icon")
    for other in (b"GIF89a" + b"\x00" * 20, b"<svg xmlns='http://www.w3.org/2000/svg'/>", b""):
        with pytest.raises(StoreSecurityError, match="not a PNG or JPEG"):
            check_image(other, "screenshot")
        with pytest.raises(StoreSecurityError):
            check_image(other, "icon")
    check_image(icon + b"\x00" * (MAX_ICON - len(icon)), "icon")
    with pytest.raises(StoreSecurityError, match="over the limit"):
        check_image(icon + b"\x00" * (MAX_ICON + 1 - len(icon)), "icon")
    check_image(JPEG + b"\x00" * (MAX_SCREENSHOT - len(JPEG)), "screenshot")
    with pytest.raises(StoreSecurityError, match="over the limit"):
        check_image(JPEG + b"\x00" * (MAX_SCREENSHOT + 1 - len(JPEG)), "screenshot")


def test_image_length_checked_before_download() -> None:
    check_image_length(MAX_ICON, "icon")
    check_image_length(MAX_SCREENSHOT, "screenshot")
    with pytest.raises(StoreSecurityError, match="over the limit"):
        check_image_length(MAX_ICON + 1, "icon")
    with pytest.raises(StoreSecurityError, match="over the limit"):
        check_image_length(MAX_SCREENSHOT + 1, "screenshot")
    with pytest.raises(ValueError):
        check_image_length(1, "banner")  # type: ignore[arg-type]


def test_client_caps_are_the_publishers() -> None:
    assert (MAX_ICON, MAX_SCREENSHOT, MAX_PACKAGE) == (
        source.MAX_ICON, source.MAX_SCREENSHOT, source.MAX_PACKAGE)


# -- with the real publisher and client -------------------------------------------------------

def test_published_catalogue_passes_strict_checks(published: Published) -> None:
    content = load_source(published.src)
    catalog = parse_catalog(content.catalog, strict=True)
    for app in catalog.apps:
        check_image(content.files[app.icon], "icon")
        for shot in app.screenshots:
            check_image(content.files[shot], "screenshot")


def test_client_uses_a_grown_catalogue_and_checks_releases(served: Published, data_dir: Path) -> None:
    content = load_source(served.src)
    grown = json.loads(json.dumps(content.catalog))
    grown["apps"][0]["name"]["fr"] = "Alpha (fr)"
    grown["apps"][0]["permissions"].append("wallet.stake")
    grown["apps"].append({"id": "org.test.hologram", "kind": "hologram"})
    publish(StoreContent(grown, content.files), served.out, served.keys)

    stores = Stores(Paths.resolve(data_dir))
    outcome = stores.add([served.url], served.result.root_sha256)
    assert outcome.ok and outcome.catalog is not None, outcome.error
    apps = {a.id: a for a in outcome.catalog.apps}
    assert set(apps) == {"org.test.alpha", "org.test.beta"}
    alpha = apps["org.test.alpha"]
    assert "fr" not in alpha.name and alpha.name["en"] == "Alpha"
    assert alpha.permissions == ("storage",) and alpha.unknown_permissions == ("wallet.stake",)

    # the catalogue's release agrees with the package's signed target info...
    client = stores.client(outcome.store_id)
    release = alpha.releases[0]
    info = client.target_info(release.package)
    check_release_target(release, info.length, info.hashes["sha256"])
    # ...and a catalogue that disagrees with it is caught before any download
    lying = Release(release.version, release.package, release.size + 1, release.sha256,
                    release.date)
    with pytest.raises(StoreSecurityError, match="not downloaded"):
        check_release_target(lying, info.length, info.hashes["sha256"])
