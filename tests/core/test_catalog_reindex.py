"""The search index updated in place (core/catalog/reindex.py) after a refresh that changed a few
apps of a real published store: every query answers as a full build of the same catalogue does,
in the same order; what cannot be done exactly falls back to a full build."""

import copy
import hashlib
import os
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appstore.core.catalog import indexwrite, reindex, shards
from appstore.core.catalog.index import Hits, IndexChanged, StoreIndex
from appstore.core.catalog.indexwrite import build
from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import StoreKeys, init_keys
from appstore.core.publish.server import serve_in_thread
from appstore.core.publish.source import StoreContent
from appstore.core.store.client import StoreClient
from appstore.core.store.manager import Stores

WORDS = ["ledger", "chain", "token", "wallet", "loan", "bank", "points", "charity", "swap", "café"]
ZH = "链账币钱包贷款银行积分慈善捐零件"
CATEGORIES = ["finance", "tools", "games"]
QUERIES = ["", "c", "cha", "charity", "ledger chain", "bank p", "7", "app1", "caf", "慈", "慈善",
           "积分 bank", "dev 3", "zzz", "twin", "renamed", "new", "org"]


def _app(i: int, rng: random.Random) -> dict[str, Any]:
    text = lambda k: " ".join(rng.choice(WORDS) for _ in range(k))  # noqa: E731
    zh = lambda k: "".join(rng.choice(ZH) for _ in range(k))  # noqa: E731
    app_id = f"org.t.app{i}"
    blob = b"PK" + hashlib.sha256(app_id.encode()).digest()
    # every ninth app shares its English name with others: ties sort by catalogue order
    name = "Twin" if i % 9 == 0 else f"{text(2)} {i}"
    return {"id": app_id, "name": {"en": name, "zh_CN": zh(3)},
            "summary": {"en": text(5), "zh_CN": zh(6)}, "description": {"en": "d"},
            "categories": rng.sample(CATEGORIES, rng.randint(1, 2)), "kind": "web",
            "icon": "icons/a.png", "screenshots": [], "developer": f"Dev {i % 7}",
            "license": "MIT", "permissions": [], "featured": i % 11 == 0,
            "releases": [{"version": "1.0.0", "package": f"packages/{app_id}.zip",
                          "size": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                          "date": "2026-01-01"}]}


class Store:
    """A store published with the project's publisher, served on 127.0.0.1."""

    def __init__(self, tmp: Path, n: int) -> None:
        rng = random.Random(5)
        self.apps = [_app(i, rng) for i in range(n)]
        self.next = n
        self.keys: StoreKeys = init_keys(tmp / "keys")
        self.out = tmp / "out"
        self.result = self.publish()

    def publish(self) -> Any:
        files = {"icons/a.png": b"\x89PNG\r\n\x1a\n"}
        for a in self.apps:
            files[a["releases"][0]["package"]] = b"PK" + hashlib.sha256(a["id"].encode()).digest()
        catalog = {"format": 1, "store": {"id": "teststore", "name": {"en": "Test"}},
                   "categories": {c: {"en": c.title()} for c in CATEGORIES},
                   "apps": copy.deepcopy(self.apps)}
        self.result = publish(StoreContent(catalog, files), self.out, self.keys)
        return self.result

    def add(self, name: str | None = None, featured: bool = False) -> None:
        a = _app(self.next, random.Random(self.next))
        if name is not None:
            a["name"]["en"] = name
        a["featured"] = featured
        self.apps.append(a)
        self.next += 1


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, str]]:
    # 300 apps in 16 shards (smaller shards than real stores: many shards, few apps)
    monkeypatch.setattr(shards, "APPS_PER_SHARD", 32)
    s = Store(tmp_path, 300)
    server, url = serve_in_thread(s.out)
    yield s, url
    server.shutdown()
    server.server_close()


def _answers(ix: StoreIndex) -> list[Any]:
    """Everything a search reads from an index, with ranks as their order (not their values)."""
    out: list[Any] = [ix.size, ix.order().values(), ix.sort_keys().values(), ix.categories]
    for q in QUERIES:
        for category in (None, "finance", "games"):
            hits = Hits([ix], q, category)
            ranks = [pos for _, pos in hits.fetch_to(10**6)]
            order = ix.order()
            out.append((q, category, hits.total, [order[p] for p in ranks],
                        [(r.id, r.name, r.summary, r.categories, r.featured) for r in ix.rows(ranks)],
                        ix.json_items(ranks, "en", set()), ix.json_items(ranks, "zh_CN", set())))
    return out


def _full(client: StoreClient, tmp: Path) -> StoreIndex:
    """A fresh full build of the catalogue the client has in use."""
    assert client._current is not None
    digest, catalog = client._current
    path = tmp / f"full-{digest[:8]}.sqlite3"
    build(path, catalog, digest, client.sharded.parts(digest))
    ix = StoreIndex.open(path, digest, client.entry.id)
    assert ix is not None
    return ix


def test_one_app_changes_update_the_index_in_place_as_a_full_build_would(
        store: tuple[Store, str], data_dir: Path, tmp_path: Path) -> None:
    s, url = store
    stores = Stores(Paths.resolve(data_dir))
    stores.add([url], s.result.root_sha256)
    client = stores.client("teststore")
    first = client.search_index()
    assert first is not None and first.size == 300
    inode = os.stat(client.index_path).st_ino

    def rename(i: int, name: str) -> None:
        s.apps[i]["name"]["en"] = name

    def feature(i: int) -> None:
        s.apps[i]["featured"] = not s.apps[i]["featured"]

    def summary(i: int) -> None:
        s.apps[i]["summary"] = {"en": "renamed charity swap", "zh_CN": "慈善"}

    changes = [
        lambda: s.add(),  # a new app
        lambda: s.add("Twin"),  # a new tie: after the other twins (catalogue order)
        lambda: s.add("Aaa first", featured=True),  # first of all
        lambda: s.add("zzzz last"),  # last of all
        lambda: s.apps.pop(17),  # removed
        lambda: s.apps.pop(0),  # a featured twin removed
        lambda: rename(40, "Renamed to the front"),
        lambda: rename(41, "Twin"),  # becomes a tie
        lambda: feature(42),  # re-ranked: into the featured group
        lambda: feature(44),  # and out of it
        lambda: summary(50),  # same rank, other words
        lambda: s.apps[60].update(categories=["games"]),
    ]
    for i, change in enumerate(changes):
        change()
        s.publish()
        [outcome] = stores.refresh()
        assert outcome.ok, outcome.error
        ix = client.search_index()
        assert ix is not None and ix.size == len(s.apps)
        assert os.stat(client.index_path).st_ino == inode, f"change {i} rebuilt the index"
        full = _full(client, tmp_path)
        assert _answers(ix) == _answers(full), f"change {i}"
        full.close()
    # an index opened in another process (here: another client) reads the same
    other = Stores(Paths.resolve(data_dir)).client("teststore").search_index()
    assert other is not None and _answers(other) == _answers(ix)


def test_a_search_on_an_index_changed_under_it_says_so(store: tuple[Store, str],
                                                       data_dir: Path) -> None:
    s, url = store
    stores = Stores(Paths.resolve(data_dir))
    stores.add([url], s.result.root_sha256)
    client = stores.client("teststore")
    old = client.search_index()
    assert old is not None
    hits = Hits([old], "", None)
    hits.take(10)
    s.add()
    s.publish()
    stores.refresh()
    new = client.search_index()
    assert new is not None and new is not old and new.size == 301
    with pytest.raises(IndexChanged, match="search again"):
        hits.take(1000)  # never a mix of two catalogues' rows
    with pytest.raises(IndexChanged):
        Hits([old], "charity", None)


def test_what_cannot_be_updated_exactly_is_built_in_full(store: tuple[Store, str], data_dir: Path,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # ranks 8 apart rather than 4,096: a gap runs out after three apps, not twelve
    monkeypatch.setattr(indexwrite, "GAP", 8)
    monkeypatch.setattr(reindex, "GAP", 8)
    s, url = store
    stores = Stores(Paths.resolve(data_dir))
    stores.add([url], s.result.root_sha256)
    client = stores.client("teststore")
    assert client.search_index() is not None

    def refreshed() -> tuple[StoreIndex, int]:
        s.publish()
        [outcome] = stores.refresh()
        assert outcome.ok, outcome.error
        ix = client.search_index()
        assert ix is not None and ix.size == len(s.apps)
        full = _full(client, tmp_path)
        assert _answers(ix) == _answers(full)
        full.close()
        return ix, os.stat(client.index_path).st_ino

    # many shards changed at once: a full build (a new file)
    _, inode = refreshed()
    for a in s.apps[:200]:
        a["summary"]["en"] += " again"
    _, rebuilt = refreshed()
    assert rebuilt != inode
    # no room left between two ranks: apps added again and again at the same place
    inodes = []
    for k in range(5):
        s.add(f"Twin {'!' * k}")  # each sorts just after the one before: the gap halves
        ix, now = refreshed()
        inodes.append(now)
    assert inodes[:3] == [rebuilt] * 3 and inodes[3] != rebuilt  # 4, 2, 1: then no room
    twins = [i for i, a in enumerate(s.apps) if a["name"]["en"] == "Twin"]
    s.apps[twins[0]], s.apps[twins[-1]] = s.apps[twins[-1]], s.apps[twins[0]]
    _, now = refreshed()


def test_a_damaged_or_torn_index_is_built_again(store: tuple[Store, str], data_dir: Path,
                                                tmp_path: Path) -> None:
    s, url = store
    stores = Stores(Paths.resolve(data_dir))
    stores.add([url], s.result.root_sha256)
    client = stores.client("teststore")
    assert client.search_index() is not None
    # an update that died half-way: its journal is left; SQLite rolls it back, and the update
    # happens again from the catalogue before it
    con = sqlite3.connect(client.index_path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("DELETE FROM apps WHERE pos IN (SELECT pos FROM apps LIMIT 50)")
    con.execute("UPDATE meta SET value = 'x' WHERE key = 'digest'")
    journal = Path(f"{client.index_path}-journal")
    assert journal.is_file()
    torn = journal.read_bytes(), client.index_path.read_bytes()
    con.execute("ROLLBACK")
    con.close()
    journal.write_bytes(torn[0])  # as a crash leaves them: the journal hot, the file half-written
    client.index_path.write_bytes(torn[1])
    s.add()
    s.publish()
    stores.refresh()
    ix = Stores(Paths.resolve(data_dir)).client("teststore").search_index()
    assert ix is not None and ix.size == 301
    full = _full(client, tmp_path)
    assert _answers(ix) == _answers(full)
    # a file that is no database: built in full
    client.index_path.write_bytes(b"garbage" * 100)
    s.add()
    s.publish()
    stores.refresh()
    ix = client.search_index()
    assert ix is not None and ix.size == 302
    assert reindex.update(tmp_path / "missing.sqlite3", client._current[1], "d" * 64, [])\
        is False  # type: ignore[index]
