"""The SQLite search index (core/catalog/index.py): the same answers as the in-memory index, in
the same order, across several stores; kept per verified catalogue; the CLI's JSON unchanged."""

import json
import random
import sqlite3
from pathlib import Path

import pytest

from appstore.cli.apps import _search_json, _search_json_text
from appstore.core.catalog.index import Hits, Row, StoreIndex
from appstore.core.catalog.indexwrite import build
from appstore.core.catalog.models import Catalog
from appstore.core.catalog.parse import parse_catalog
from appstore.core.catalog.search import SearchIndex
from appstore.core.paths import Paths
from appstore.core.services import Services
from appstore.core.store.manager import CatalogView, Stores
from tests.conftest import Published

WORDS = ["ledger", "chain", "token", "wallet", "loan", "bank", "points", "charity", "swap",
         "verify", "café", "naïve", "Dev", "X-Ray", "42", "4242", 'say "hi"', "back\\slash",
         "tab\u00a0nbsp", "emoji\U0001f600", "Ελληνικά"]
ZH = "链账币钱包贷款银行积分慈善捐零件溯源票据"
CATEGORIES = ["finance", "supply-chain", "charity", "tools"]
QUERIES = ["", "c", "ch", "cha", "charity", "le", "ledger chain", "bank p", "42", "4242", "caf",
           "café", "na", "x ray", "dev 42", "慈", "慈善", "善捐", "积分 bank", "链 c", "zzz",
           "org", "app1", "CHAIN", "to-ken", "包贷款"]


def _catalog(n: int, seed: int, store: str, prefix: str = "org.t.app") -> Catalog:
    rng = random.Random(seed)

    def text(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    def zh(k: int) -> str:
        return "".join(rng.choice(ZH) for _ in range(k))

    apps = []
    for i in range(n):
        apps.append({
            "id": f"{prefix}{i}", "kind": "web" if i % 5 else "link",
            "name": {"en": f"{text(2)} {i}", "zh_CN": zh(3)} if i % 7 else {"en": text(2)},
            "summary": {"en": text(6), "zh_CN": f"{zh(4)} {zh(2)}"},
            "description": {"en": "d"}, "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
            "icon": f"icons/{i}.png", "developer": f"Dev {i % 50}", "license": "MIT",
            "featured": i % 13 == 0,
            **({"releases": [{"version": "1.0.0", "package": f"p/{i}.zip", "size": 1,
                              "sha256": "0" * 64, "date": "2026-01-01"}]} if i % 5 else
               {"url": f"https://example.org/{i}"}),
        })
    raw = {"format": 1, "store": {"id": store, "name": {"en": store}},
           "categories": {c: {"en": c} for c in CATEGORIES}, "apps": apps}
    return parse_catalog(raw, store=store)


def _index(tmp_path: Path, catalog: Catalog, digest: str = "d" * 64) -> StoreIndex:
    path = tmp_path / f"{catalog.store}.sqlite3"
    build(path, catalog, digest)
    ix = StoreIndex.open(path, digest, catalog.store)
    assert ix is not None
    return ix


def test_same_answers_as_the_in_memory_index(tmp_path: Path) -> None:
    catalog = _catalog(1500, 1, "one")
    memory = SearchIndex(catalog.apps)
    ix = _index(tmp_path, catalog)
    order = ix.order()
    checked = 0
    for q in QUERIES:
        for category in (None, "finance", "supply-chain"):
            expected = memory.search(q, category)
            hits = Hits([ix], q, category)
            got = [order[pos] for _, pos in hits.fetch_to(10**6)]
            assert got == expected, (q, category)
            assert hits.total == len(expected), (q, category)
            checked += bool(expected)
    assert checked > 40  # the queries find things, not only nothing


def test_several_stores_merge_in_the_same_order(tmp_path: Path) -> None:
    one = _catalog(900, 2, "one")
    two = _catalog(700, 3, "two")  # the same ids: they clash
    memory = CatalogView([one, two])
    disk = CatalogView([one, two])
    assert disk.use_indexes([_index(tmp_path, one), _index(tmp_path, two)])
    assert disk.searches_on_disk and not memory.searches_on_disk
    for q in QUERIES:
        for category in (None, "charity"):
            expected = memory.search_rows(q, category)
            results = disk.search_results(q, category)
            assert results.total == len(expected)
            assert results.rows == expected[:len(results.rows)]
            while not results.complete:  # read on, as scrolling does
                results.fetch(300)
            assert results.rows == expected, (q, category)


def test_an_index_serves_only_the_catalogue_it_was_built_from(tmp_path: Path) -> None:
    catalog = _catalog(50, 4, "one")
    path = tmp_path / "i.sqlite3"
    build(path, catalog, "a" * 64)
    assert StoreIndex.open(path, "b" * 64, "one") is None  # another catalogue: rebuilt
    assert StoreIndex.open(tmp_path / "none.sqlite3", "a" * 64, "one") is None
    assert [p.name for p in tmp_path.iterdir()] == ["i.sqlite3"]  # no temp file left behind
    path.write_bytes(b"not a database at all" * 100)
    assert StoreIndex.open(path, "a" * 64, "one") is None
    with sqlite3.connect(path.with_name("other.sqlite3")) as con:
        con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    assert StoreIndex.open(path.with_name("other.sqlite3"), "a" * 64, "one") is None


def test_the_client_keeps_one_index_per_verified_catalogue(served: Published, data_dir: Path) -> None:
    from tests.storekit import write_app

    stores = Stores(Paths.resolve(data_dir))
    stores.add([served.url], served.result.root_sha256)
    client = stores.client("teststore")
    ix = client.search_index()
    assert ix is not None and ix.size == 2 and client.search_index() is ix
    hits = Hits([ix], "alp", None)
    assert [r.id for r in ix.rows([pos for _, pos in hits.fetch_to(10)])] == ["org.test.alpha"]
    write_app(served.src, "org.test.gamma")
    served.republish()
    [outcome] = stores.refresh()
    assert outcome.ok
    fresh = client.search_index()
    assert fresh is not None and fresh is not ix and fresh.size == 3
    # a damaged index is rebuilt from the verified catalogue
    other = Stores(Paths.resolve(data_dir)).client("teststore")
    client.index_path.write_bytes(b"garbage")
    rebuilt = other.search_index()
    assert rebuilt is not None and rebuilt.size == 3


def test_big_catalogues_are_searched_on_disk(served: Published, data_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``IN_MEMORY_MAX`` apps the view searches the stores' SQLite indexes (here the
    limit is lowered rather than publishing thousands of apps)."""
    import appstore.core.services as services_module

    Stores(Paths.resolve(data_dir)).add([served.url], served.result.root_sha256)
    services = Services.open(str(data_dir), demo=False)
    monkeypatch.setattr(services_module, "IN_MEMORY_MAX", 1)
    view, _ = services.load_catalog(index=True)
    assert view.searches_on_disk
    results = view.search_results("bet")
    assert results.total == 1 and [view.listings[i].ref for i in results.rows] == ["org.test.beta"]
    assert view.search_results("", "nope").total == 0
    services.close()


@pytest.mark.parametrize("lang", ["en", "zh_CN", "fr"])
def test_the_kept_json_items_are_the_rows_laid_out(tmp_path: Path, lang: str) -> None:
    """``search --json`` prints the items the index keeps (one string per result): they are
    what laying out its rows gives, ids that clash included, in every order asked."""
    one = _catalog(300, 6, "one")
    two = _catalog(40, 7, "two", prefix="org.two.")
    ix = _index(tmp_path, one)
    ranks = ix.order().ranks()
    clash = {one.apps[i].id for i in range(0, 300, 7)}
    for positions in (ranks, ranks[::-1], ranks[5:9], []):
        expected = [_search_json_text(r, clash, lang) for r in ix.rows(positions)]
        assert ix.json_items(positions, lang, clash) == expected
        assert ix.json_items(positions, lang, set()) == [
            _search_json_text(r, set(), lang) for r in ix.rows(positions)]
    odd = _index(tmp_path, two)  # names with quotes, backslashes and other scripts
    ranks = odd.order().ranks()
    assert odd.json_items(ranks, lang, set()) == [
        _search_json_text(r, set(), lang) for r in odd.rows(ranks)]


@pytest.mark.parametrize("row", [
    Row("one", "org.a", True, "a", {"en": "A \"quoted\"\n\\", "zh_CN": "慈善"}, {"en": "s"},
        ("finance", "tools"), "web", "1.0.0"),
    Row("two", "org.b", False, "b", {"en": "B"}, {"en": "<b>&\u2028"}, (), "link", None),
])
@pytest.mark.parametrize("clash", [set(), {"org.a", "org.b"}])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_search_json_is_laid_out_as_json_dump_would(row: Row, clash: set[str], lang: str) -> None:
    text = "[\n" + _search_json_text(row, clash, lang) + "\n]"
    assert text == json.dumps([_search_json(row, clash, lang)], ensure_ascii=False, indent=2)
