"""Screenshots in each language (``screenshots_l10n``, docs/store-format.md): the parser's checks
and fallback, the publisher's per-language folders, and a real store carrying them to a client."""

import json
from pathlib import Path
from typing import Any

import pytest

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog.models import App
from appstore.core.catalog.parse import parse_catalog
from appstore.core.errors import SourceError
from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.source import load_source
from appstore.core.store.manager import Stores
from tests.conftest import Published
from tests.core.test_catalog_format import _app, _catalog, _refused
from tests.storekit import png

ZH = ["screenshots/org.test.alpha/zh_CN/1.png", "screenshots/org.test.alpha/zh_CN/2.png"]


def _parsed(l10n: Any, *, strict: bool = False) -> App:
    [app] = parse_catalog(_catalog(_app(screenshots_l10n=l10n)), strict=strict).apps
    return app


def test_the_ui_language_set_else_the_default_list() -> None:
    app = _parsed({"zh_CN": ZH})
    assert app.screenshots_l10n == {"zh_CN": tuple(ZH)}
    assert app.screenshots_for("zh_CN") == tuple(ZH)
    assert app.screenshots_for("en") == ("screenshots/org.test.alpha/1.png",)  # the default
    # a store whose default set is Chinese may give English its own
    english = _parsed({"en": ["shots/en/1.png"], "zh_CN": ZH})
    assert english.screenshots_for("en") == ("shots/en/1.png",)


def test_absent_means_the_default_list_everywhere() -> None:
    [app] = parse_catalog(_catalog(_app())).apps
    assert app.screenshots_l10n == {}
    assert app.screenshots_for("zh_CN") == app.screenshots == ("screenshots/org.test.alpha/1.png",)
    assert "screenshots_l10n" not in app.to_json()


def test_limits_are_the_same_as_screenshots() -> None:
    twelve = [f"screenshots/org.test.alpha/zh_CN/{i}.png" for i in range(1, 13)]
    assert len(_parsed({"zh_CN": twelve}).screenshots_for("zh_CN")) == 12
    _refused(_catalog(_app(screenshots_l10n={"zh_CN": [*twelve, "x/13.png"]})),
             "apps[0].screenshots_l10n.zh_CN")
    _refused(_catalog(_app(screenshots_l10n={"zh_CN": []})), "apps[0].screenshots_l10n.zh_CN")
    many = {f"l{chr(97 + i // 26)}{chr(97 + i % 26)}": ["a/1.png"] for i in range(21)}
    _refused(_catalog(_app(screenshots_l10n=many)), "apps[0].screenshots_l10n")


@pytest.mark.parametrize(("value", "path", "problem"), [
    (["a/1.png"], "apps[0].screenshots_l10n", "must be an object"),
    ("zh_CN", "apps[0].screenshots_l10n", "must be an object"),
    (None, "apps[0].screenshots_l10n", "must be an object"),
    ({"zh_CN": "a/1.png"}, "apps[0].screenshots_l10n.zh_CN", "list of 1 to 12"),
    ({"zh_CN": [1]}, "apps[0].screenshots_l10n.zh_CN[0]", "must be a string"),
    ({"zh_CN": ["../secret.png"]}, "apps[0].screenshots_l10n.zh_CN[0]", "not a valid file name"),
    ({"zh_CN": ["/abs.png"]}, "apps[0].screenshots_l10n.zh_CN[0]", "not a valid file name"),
    ({"zh-CN": ["a/1.png"]}, "apps[0].screenshots_l10n.'zh-CN'", "not a language code"),
    ({"ZH": ["a/1.png"]}, "apps[0].screenshots_l10n.'ZH'", "not a language code"),
    ({"": ["a/1.png"]}, "apps[0].screenshots_l10n.''", "not a language code"),
    ({"zh_CN\n": ["a/1.png"]}, "apps[0].screenshots_l10n.'zh_CN'", "not a language code"),
])
def test_malformed_values_refuse_the_catalogue(value: Any, path: str, problem: str) -> None:
    message = _refused(_catalog(_app(screenshots_l10n=value)), path)
    assert problem in message


def test_unknown_language_dropped_by_clients_refused_by_publishers() -> None:
    app = _parsed({"fr": ["screenshots/org.test.alpha/fr/1.png"], "zh_CN": ZH})
    assert app.screenshots_l10n == {"zh_CN": tuple(ZH)}
    assert app.screenshots_for("fr") == app.screenshots
    # well formed but unknown: its list is still checked
    _refused(_catalog(_app(screenshots_l10n={"fr": ["../x.png"]})), "apps[0].screenshots_l10n.fr[0]")
    message = _refused(_catalog(_app(screenshots_l10n={"fr": ["a/1.png"]})),
                       "apps[0].screenshots_l10n.fr", strict=True)
    assert "unknown language" in message


def test_kept_through_the_catalogue_cache_and_json() -> None:
    catalog = parse_catalog(_catalog(_app(screenshots_l10n={"zh_CN": ZH})), store="s")
    listing, details = catalog_cache.dump(catalog, "d" * 64)
    rows = catalog_cache.rows(listing, "s", details)
    assert rows[0].screenshots_for("zh_CN") == tuple(ZH)
    assert rows[0].to_json()["screenshots_l10n"] == {"zh_CN": ZH}
    again = parse_catalog(_catalog(rows[0].to_json()), strict=True)
    assert again.apps[0].screenshots_l10n == {"zh_CN": tuple(ZH)}


# -- the publisher: SRC/apps/ID/screenshots/LANG/ --------------------------------------------

def test_publisher_reads_language_folders(published: Published) -> None:
    shots = published.src / "apps" / "org.test.alpha" / "screenshots"
    (shots / "zh_CN").mkdir()
    (shots / "zh_CN" / "b.png").write_bytes(png(8, 6, (0, 200, 0)))
    (shots / "zh_CN" / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    (shots / "zh_CN" / ".DS_Store").write_bytes(b"junk")  # hidden files are not screenshots
    meta_file = published.src / "apps" / "org.test.alpha" / "app.json"
    meta = json.loads(meta_file.read_text("utf-8"))
    meta["screenshots_l10n"] = {"zh_CN": ["packages/elsewhere.zip"]}  # app.json cannot name them
    meta_file.write_text(json.dumps(meta), "utf-8")

    content = load_source(published.src)
    [alpha] = [a for a in content.catalog["apps"] if a["id"] == "org.test.alpha"]
    assert alpha["screenshots"] == ["screenshots/org.test.alpha/1.png",
                                    "screenshots/org.test.alpha/2.png"]
    assert alpha["screenshots_l10n"] == {"zh_CN": ["screenshots/org.test.alpha/zh_CN/1.jpg",
                                                   "screenshots/org.test.alpha/zh_CN/2.png"]}
    assert content.files["screenshots/org.test.alpha/zh_CN/2.png"] == png(8, 6, (0, 200, 0))
    [beta] = [a for a in content.catalog["apps"] if a["id"] == "org.test.beta"]
    assert "screenshots_l10n" not in beta


@pytest.mark.parametrize(("folder", "files", "problem"), [
    ("fr", {"1.png": png()}, "must be named for a language"),
    ("zh-CN", {"1.png": png()}, "must be named for a language"),
    ("zh_CN", {}, "must hold the zh_CN screenshots"),
    ("zh_CN", {"1.txt": b"not an image"}, "must be a PNG or JPEG"),
    ("zh_CN", {f"{i:02}.png": png() for i in range(13)}, "13 screenshots, more than 12"),
])
def test_publisher_refuses_bad_language_folders(published: Published, folder: str,
                                                files: dict[str, bytes], problem: str) -> None:
    d = published.src / "apps" / "org.test.alpha" / "screenshots" / folder
    d.mkdir()
    for name, data in files.items():
        (d / name).write_bytes(data)
    with pytest.raises(SourceError) as err:
        load_source(published.src)
    assert problem in str(err.value) and "org.test.alpha" in str(err.value)


def test_a_client_gets_both_sets_from_a_real_store(served: Published, data_dir: Path) -> None:
    zh = served.src / "apps" / "org.test.alpha" / "screenshots" / "zh_CN"
    zh.mkdir()
    (zh / "1.png").write_bytes(png(8, 6, (1, 2, 3)))
    publish(load_source(served.src), served.out, served.keys)

    stores = Stores(Paths.resolve(data_dir))
    outcome = stores.add([served.url], served.result.root_sha256)
    assert outcome.ok and outcome.catalog is not None, outcome.error
    alpha = next(a for a in outcome.catalog.apps if a.id == "org.test.alpha")
    assert alpha.screenshots_for("zh_CN") == ("screenshots/org.test.alpha/zh_CN/1.png",)
    assert len(alpha.screenshots_for("en")) == 2
    # signed like any target, and fetched and verified like one
    client = stores.client(outcome.store_id)
    assert client.target_info("screenshots/org.test.alpha/zh_CN/1.png").length == len(png(8, 6, (1, 2, 3)))
