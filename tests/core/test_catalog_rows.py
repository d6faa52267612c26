"""The compact catalogue in memory (``catalog/cache.AppRows``) and the merged view built on it:
the same apps as the parser gives, made one at a time, and a view that finds, counts and
features them without making every app."""

import mmap
import os
from pathlib import Path

import pytest

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog.cache import AppRows
from appstore.core.catalog.index import StoreIndex
from appstore.core.catalog.indexwrite import build
from appstore.core.catalog.models import Catalog
from appstore.core.catalog.parse import parse_catalog
from appstore.core.errors import NotFound
from appstore.core.store.manager import CatalogView
from tests.core.test_catalog_format import _app, _catalog

SHA = "cd" * 32


def _parsed(n: int, store: str = "one") -> Catalog:
    apps = [_app(f"org.test.app{i}", featured=i % 3 == 0,
                 description={"en": f"About app {i}.", "zh_CN": f"说明 {i}"}) for i in range(n)]
    return parse_catalog(_catalog(*apps), store=store)


def _compact(catalog: Catalog, tmp_path: Path) -> Catalog:
    listing, details = catalog_cache.dump(catalog, SHA)
    path = tmp_path / f"{catalog.store}.details"
    path.write_bytes(details)
    compact = catalog_cache.load(listing, SHA, catalog.store, path)
    assert compact is not None
    return compact


def test_rows_give_the_apps_the_parser_gave(tmp_path: Path) -> None:
    parsed = _parsed(7)
    compact = _compact(parsed, tmp_path)
    rows = compact.apps
    assert isinstance(rows, AppRows) and len(rows) == 7
    for a, b in zip(parsed.apps, rows, strict=True):
        assert a.to_json() == b.to_json()  # every field, descriptions read from the file
        assert b.store == "one"
    assert rows[-1].id == "org.test.app6"
    assert [a.id for a in rows[1:3]] == ["org.test.app1", "org.test.app2"]
    assert rows[2] is rows[2]  # a card painted again does not make its app again
    with pytest.raises(IndexError):
        rows[7]  # noqa: B018
    assert list(rows.ids) == [a.id for a in parsed.apps]
    assert list(catalog_cache.featured_of(rows)) == [a.featured for a in parsed.apps]


def test_only_the_last_apps_made_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AppRows, "KEEP", 3)
    rows = _compact(_parsed(6), tmp_path).apps
    first = rows[0]
    for i in range(1, 6):
        rows[i]  # noqa: B018
    again = rows[0]
    assert again is not first and again.to_json() == first.to_json()


def test_a_cache_of_another_version_or_catalogue_is_not_used(tmp_path: Path) -> None:
    listing, details = catalog_cache.dump(_parsed(2), SHA)
    (tmp_path / "d").write_bytes(details)
    assert catalog_cache.load(listing, "ef" * 32, "one", tmp_path / "d") is None
    assert catalog_cache.load(b"not marshal", SHA, "one", tmp_path / "d") is None
    assert catalog_cache.load(listing, SHA, "one", tmp_path / "missing") is None
    old = catalog_cache.marshal.dumps((4, SHA, "x", {}, "", {}, ()))  # the format before rows
    assert catalog_cache.load(old, SHA, "one", tmp_path / "d") is None


def test_descriptions_kept_in_memory_when_the_details_cannot_be_written() -> None:
    parsed = _parsed(3)
    listing, details = catalog_cache.dump(parsed, SHA)
    rows = catalog_cache.rows(listing, "one", details)
    assert [dict(a.description) for a in rows] == [dict(a.description) for a in parsed.apps]


def test_joined_rows_read_each_part_s_descriptions(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    a = _compact(_parsed(3, "one"), tmp_path / "a")
    b_parsed = parse_catalog(_catalog(*[_app(f"org.other.app{i}", description={"en": f"Other {i}"})
                                        for i in range(2)]), store="one")
    (tmp_path / "b").mkdir()
    b = _compact(b_parsed, tmp_path / "b")
    assert isinstance(a.apps, AppRows) and isinstance(b.apps, AppRows)
    joined = AppRows.join([a.apps, b.apps], "one")
    assert len(joined) == 5
    assert [dict(x.description)["en"] for x in joined] == [
        "About app 0.", "About app 1.", "About app 2.", "Other 0", "Other 1"]
    assert joined.featured == a.apps.featured + b.apps.featured


def test_the_view_finds_and_features_without_making_every_app(tmp_path: Path) -> None:
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    one = _compact(_parsed(4, "one"), tmp_path / "1")
    two = _compact(parse_catalog(_catalog(_app("org.test.app1"), _app("org.two.solo")),
                                 store="two"), tmp_path / "2")
    view = CatalogView([one, two])
    assert isinstance(one.apps, AppRows)
    assert not one.apps._made  # built from ids and flags alone
    assert [e.ref for e in view.listings] == [
        "org.test.app0", "one/org.test.app1", "org.test.app2", "org.test.app3",
        "two/org.test.app1", "org.two.solo"]
    assert [e.ref for e in view.featured] == ["org.test.app0", "org.test.app3"]
    assert view.find("org.two.solo").app.store == "two"
    assert view.find("one/org.test.app2").ref == "org.test.app2"
    assert view.find("two/org.test.app1").app.store == "two"
    with pytest.raises(NotFound, match="several stores: use one of one/org.test.app1, two/org.test.app1"):
        view.find("org.test.app1")
    with pytest.raises(NotFound, match="no app 'org.nope'"):
        view.find("org.nope")
    with pytest.raises(NotFound):
        view.find("three/org.two.solo")
    assert view.position("two", "org.two.solo") == 5 and view.position("two", "org.test.app0") is None
    assert [a.id for a in view.apps_at([("one", "org.test.app3"), ("x", "y"), ("two", "org.test.app1")])] \
        == ["org.test.app3", "org.test.app1"]
    assert view.app_name("one", "org.test.app2", "zh_CN") == "阿尔法"
    assert view.app_name("one", "org.none", "en") is None


def test_the_search_index_of_rows_is_the_index_of_the_parsed_apps(tmp_path: Path) -> None:
    parsed = _parsed(9)
    compact = _compact(parsed, tmp_path)
    opened = []
    for name, catalog in (("a", parsed), ("b", compact)):
        build(tmp_path / f"{name}.sqlite3", catalog, SHA)
        index = StoreIndex.open(tmp_path / f"{name}.sqlite3", SHA, "one")
        assert index is not None
        opened.append(index)
    a, b = opened
    assert a.order() == b.order() and a.sort_keys() == b.sort_keys()
    assert a.rows(a.order().ranks()) == b.rows(b.order().ranks())
    for index in opened:
        index.close()


def _written(catalog: Catalog, tmp_path: Path) -> tuple[Path, Path]:
    listing, details = catalog_cache.dump(catalog, SHA)
    (tmp_path / "c.details").write_bytes(details)
    (tmp_path / "c.cache").write_bytes(listing)
    return tmp_path / "c.cache", tmp_path / "c.details"


def test_a_cache_file_is_mapped_not_read(tmp_path: Path) -> None:
    parsed = _parsed(5)
    path, details = _written(parsed, tmp_path)
    maps = catalog_cache._maps.count
    compact = catalog_cache.load_file(path, SHA, "one", details)
    assert compact is not None and isinstance(compact.apps, AppRows)
    [part] = compact.apps.parts
    assert isinstance(part.buf, mmap.mmap) and catalog_cache._maps.count == maps + 1
    # the file is replaced (a new catalogue) and removed (pruned): the map still holds its rows
    other, _ = catalog_cache.dump(_parsed(2, "two"), SHA)
    tmp = tmp_path / "new"
    tmp.write_bytes(other)
    os.replace(tmp, path)
    path.unlink()
    assert [a.to_json() for a in compact.apps] == [a.to_json() for a in parsed.apps]
    del compact, part
    assert catalog_cache._maps.count == maps  # the map closed with its rows


def test_past_the_maps_a_process_may_hold_files_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parsed(3)
    path, details = _written(parsed, tmp_path)
    catalog_cache._maps.take()  # (reads the limit once)
    catalog_cache._maps.give_back()
    monkeypatch.setattr(catalog_cache._maps, "most", catalog_cache._maps.count)
    compact = catalog_cache.load_file(path, SHA, "one", details)
    assert compact is not None and isinstance(compact.apps, AppRows)
    assert isinstance(compact.apps.parts[0].buf, bytes)
    assert [a.id for a in compact.apps] == [a.id for a in parsed.apps]


def test_a_cut_short_or_foreign_cache_file_is_not_used(tmp_path: Path) -> None:
    path, details = _written(_parsed(4), tmp_path)
    whole = path.read_bytes()
    maps = catalog_cache._maps.count
    assert catalog_cache.load_file(path, "ef" * 32, "one", details) is None  # another catalogue
    assert catalog_cache.load_file(path, SHA, "one", tmp_path / "missing") is None
    for damaged in (whole[:-1], whole + b"x", whole[:20], b"", b"not a cache at all",
                    catalog_cache.marshal.dumps((6, SHA, "x", {}, "", {}, (), b"", ()))):
        path.write_bytes(damaged)
        assert catalog_cache.load_file(path, SHA, "one", details) is None, damaged[:30]
    assert catalog_cache.load_file(tmp_path / "none.cache", SHA, "one", details) is None
    assert catalog_cache._maps.count == maps  # nothing left mapped


def _mapped_kib(path: Path) -> int:
    """This process's memory holding pages of ``path``'s maps (Linux's smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and len(head) >= 5 and ":" in head[3]:
                inside = len(head) >= 6 and head[5] == str(path)
            elif inside and head[0] == "Rss:":
                total += int(head[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads Linux's smaps")
def test_pages_read_from_a_mapped_cache_are_let_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parsed(600)
    path, details = _written(parsed, tmp_path)
    compact = catalog_cache.load_file(path, SHA, "one", details)
    assert compact is not None and isinstance(compact.apps, AppRows)
    apps = compact.apps
    assert _mapped_kib(path) == 0  # the header was read into objects, the rows not yet
    assert [a.id for a in apps] == [a.id for a in parsed.apps]  # a walk over every app
    assert _mapped_kib(path) == 0
    monkeypatch.setattr(AppRows, "LET_GO_EVERY", 50)
    for i in range(49):
        apps[i * 12]  # noqa: B018 - apps made for cards, here and there
    assert _mapped_kib(path) > 0
    apps[599]  # noqa: B018 - the 50th
    assert _mapped_kib(path) == 0
    assert apps[36].to_json() == parsed.apps[36].to_json()  # (read again when asked)
