"""The catalogue in signed shards, against real stores served on 127.0.0.1: a refresh fetches
only the shards that changed, and TUF still vouches for every byte (mix-and-match, unsigned and
malformed shards refused; the last verified catalogue stays in use)."""

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from appstore.core.catalog.cache import AppRows
from appstore.core.catalog.shards import SHARD_INDEX, shard_bits, split
from appstore.core.errors import StoreSecurityError, StoreUnreachable
from appstore.core.paths import Paths
from appstore.core.publish.builder import PublishResult, publish
from appstore.core.publish.keys import StoreKeys, init_keys
from appstore.core.publish.server import serve_in_thread
from appstore.core.publish.source import StoreContent
from appstore.core.store import shardparse
from appstore.core.store.manager import Stores
from tests.storekit import png

N = 1200  # 4 shards of about 512


def _content(n: int = N, summary: str = "s") -> StoreContent:
    apps = []
    files: dict[str, bytes] = {}
    for i in range(n):
        app_id = f"org.shard.app{i}"
        files[f"icons/{app_id}.png"] = png(1, 1, (i % 256, 0, 0))
        apps.append({"id": app_id, "name": {"en": f"App {i}"},
                     "summary": {"en": summary if i == 7 else "s"}, "description": {"en": "d"},
                     "categories": ["tools"], "kind": "link", "url": "https://example.org",
                     "icon": f"icons/{app_id}.png", "developer": "x", "license": "MIT"})
    catalog = {"format": 1, "store": {"id": "sharded", "name": {"en": "S"}},
               "categories": {"tools": {"en": "Tools"}}, "apps": apps}
    return StoreContent(catalog, files)


class Store:
    def __init__(self, tmp_path: Path) -> None:
        self.out = tmp_path / "out"
        self.keys: StoreKeys = init_keys(tmp_path / "keys")
        self.result: PublishResult = publish(_content(), self.out, self.keys)
        self.server, self.url = serve_in_thread(self.out)

    def shard_files(self) -> dict[str, Path]:
        """Published shard files by their stored name."""
        return {p.name: p for p in (self.out / "targets" / "catalog" / "shards").iterdir()}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path)
    yield s
    s.server.shutdown()
    s.server.server_close()


def _stores(data_dir: Path) -> Stores:
    return Stores(Paths.resolve(data_dir))


def test_the_publisher_splits_the_catalogue_by_id(store: Store) -> None:
    content = _content()
    parts = split(content.catalog)
    index = json.loads(parts[SHARD_INDEX])
    assert len(index["shards"]) == 2 ** shard_bits(N) == 4
    assert {k: v for k, v in index.items() if k != "shards"} == {
        k: v for k, v in content.catalog.items() if k != "apps"}
    ids = [a["id"] for name in index["shards"] for a in json.loads(parts[name])["apps"]]
    assert sorted(ids) == sorted(a["id"] for a in content.catalog["apps"])  # each once
    assert len(store.shard_files()) == 4


def test_a_refresh_after_one_app_changed_fetches_one_shard(store: Store, data_dir: Path) -> None:
    stores = _stores(data_dir)
    [added] = [stores.add([store.url], store.result.root_sha256)]
    assert added.ok and added.catalog is not None and len(added.catalog.apps) == N
    client = stores.client("sharded")
    assert isinstance(added.catalog.apps, AppRows)
    before = added.catalog.apps.parts
    old_files = store.shard_files()
    publish(_content(summary="changed"), store.out, store.keys)
    new = {k: p for k, p in store.shard_files().items() if k not in old_files}
    assert len(new) == 1  # one shard changed
    for name, path in store.shard_files().items():  # the unchanged ones cannot be fetched now
        if name not in new:
            path.unlink()
    fetched = client.sharded.fetched
    [outcome] = stores.refresh()
    assert outcome.ok, outcome.error
    assert client.sharded.fetched == fetched + 1
    assert outcome.catalog is not None and len(outcome.catalog.apps) == N
    assert {a.id: a for a in outcome.catalog.apps}["org.shard.app7"].summary == {"en": "changed"}
    # the apps of unchanged shards are the rows already in memory, not parsed again
    assert isinstance(outcome.catalog.apps, AppRows)
    same = [p for p in outcome.catalog.apps.parts if any(p is q for q in before)]
    assert len(same) == len(before) - 1 and sum(map(len, same)) > N // 2
    # the next start reads it all from here, without the network
    store.server.shutdown()
    later = _stores(data_dir).client("sharded").cached()
    assert later is not None and later.catalog is not None
    assert ({a.id: a.summary for a in later.catalog.apps}
            == {a.id: a.summary for a in outcome.catalog.apps})


def test_a_shard_of_another_version_is_refused(store: Store, data_dir: Path) -> None:
    """Mix-and-match: the old bytes served under the new shard's name fail TUF's hash check."""
    stores = _stores(data_dir)
    stores.add([store.url], store.result.root_sha256)
    old_bytes = {k: p.read_bytes() for k, p in store.shard_files().items()}
    publish(_content(summary="changed"), store.out, store.keys)  # (the old file is pruned)
    [new_name] = [k for k in store.shard_files() if k not in old_bytes]
    base = new_name.split(".", 1)[1]
    [old] = [data for k, data in old_bytes.items() if k.endswith("." + base)]
    store.shard_files()[new_name].write_bytes(old)
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreSecurityError)
    assert "does not match what the store signed" in str(outcome.error)
    assert outcome.catalog is not None  # the last verified catalogue stays in use
    assert next(a for a in outcome.catalog.apps if a.id == "org.shard.app7").summary == {"en": "s"}


class _Edited(StoreContent):
    """Publishes what ``edit`` makes of the catalogue's shard targets (a hostile publisher)."""

    edit: staticmethod  # type: ignore[type-arg]

    def all_targets(self) -> dict[str, bytes]:
        targets = super().all_targets()
        type(self).edit(targets)
        return targets


def _publish_edited(store: Store, edit: object) -> None:
    content = _content()
    cls = type("Edited", (_Edited,), {"edit": staticmethod(edit)})  # type: ignore[arg-type]
    publish(cls(content.catalog, content.files), store.out, store.keys)


def _unsigned_shard(targets: dict[str, bytes]) -> None:
    index = json.loads(targets[SHARD_INDEX])
    index["shards"].append("catalog/shards/ff.json")
    targets[SHARD_INDEX] = json.dumps(index).encode()


def _duplicate_id(targets: dict[str, bytes]) -> None:
    index = json.loads(targets[SHARD_INDEX])
    first, second = index["shards"][:2]
    app = json.loads(targets[first])["apps"][0]
    other = json.loads(targets[second])
    other["apps"].append(app)
    targets[second] = json.dumps(other).encode()


def _bad_app(targets: dict[str, bytes]) -> None:
    index = json.loads(targets[SHARD_INDEX])
    shard = json.loads(targets[index["shards"][3]])
    shard["apps"][0]["url"] = "javascript:alert(1)"
    targets[index["shards"][3]] = json.dumps(shard).encode()


@pytest.mark.parametrize(("edit", "phrase"), [
    (_unsigned_shard, "names catalog/shards/ff.json, which the store does not sign"),
    (_duplicate_id, "is used twice"),
    (_bad_app, "apps[0].url"),
])
def test_a_bad_shard_index_or_shard_is_refused(store: Store, data_dir: Path, edit: object,
                                               phrase: str) -> None:
    stores = _stores(data_dir)
    stores.add([store.url], store.result.root_sha256)
    _publish_edited(store, edit)
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreSecurityError), outcome.error
    assert phrase in str(outcome.error)
    assert outcome.catalog is not None and len(outcome.catalog.apps) == N


def test_a_store_without_shards_is_read_whole(store: Store, data_dir: Path) -> None:
    """A store that publishes only ``catalog/index.json`` (another publisher) still works."""
    def drop(targets: dict[str, bytes]) -> None:
        for name in [k for k in targets if k.startswith("catalog/shards")]:
            del targets[name]

    _publish_edited(store, drop)
    stores = _stores(data_dir)
    outcome = stores.add([store.url], store.result.root_sha256)
    assert outcome.ok and outcome.catalog is not None and len(outcome.catalog.apps) == N
    assert not (data_dir / "stores" / "sharded" / "shards").exists()
    store.server.shutdown()
    store.server.server_close()  # refused at once, rather than a connection nobody answers
    [offline] = _stores(data_dir).refresh()
    assert isinstance(offline.error, StoreUnreachable)
    assert offline.catalog is not None and len(offline.catalog.apps) == N


def test_many_new_shards_are_parsed_in_workers_to_the_same_bytes(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A cold add with many shards parses them in worker processes: the same catalogue and the
    same cache files as parsing them here."""
    here = _stores(tmp_path / "here").add([store.url], store.result.root_sha256)
    monkeypatch.setattr(shardparse, "PARALLEL_MIN", 2)
    with shardparse.Parser(4, {}, "x") as probe:
        assert probe.parallel  # (this machine has the cores for it)
    caplog.set_level(logging.WARNING, "imapp.catalog")
    there = _stores(tmp_path / "there").add([store.url], store.result.root_sha256)
    assert not caplog.records  # every shard was parsed by a worker, none here instead
    assert here.ok and there.ok and here.catalog is not None and there.catalog is not None
    assert [a.to_json() for a in here.catalog.apps] == [a.to_json() for a in there.catalog.apps]
    caches = [{p.name: p.read_bytes() for p in (root / "stores" / "sharded" / "shards").iterdir()
               if p.suffix in (".cache", ".details")} for root in (tmp_path / "here", tmp_path / "there")]
    assert caches[0] == caches[1] and len(caches[0]) == 8


def test_a_bad_shard_parsed_in_a_worker_is_refused_alike(
        store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stores = _stores(data_dir)
    stores.add([store.url], store.result.root_sha256)
    monkeypatch.setattr(shardparse, "PARALLEL_MIN", 1)
    _publish_edited(store, _bad_app)
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreSecurityError), outcome.error
    assert "apps[0].url" in str(outcome.error) and "javascript:alert(1)" in str(outcome.error)
    assert outcome.catalog is not None and len(outcome.catalog.apps) == N


def test_a_worker_that_dies_leaves_its_shards_to_be_parsed_here(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    shard = next(p for p in store.shard_files().values())
    index = json.loads(next((store.out / "targets" / "catalog").glob("*.shards.json")).read_bytes())
    categories = {k: v for k, v in index["categories"].items()}
    def expected(key: str) -> tuple[bytes, bytes]:
        return shardparse.to_cache(shard.read_bytes(), "catalog/shards/0.json", categories, "s", key)

    with shardparse.Parser(shardparse.PARALLEL_MIN, categories, "s") as parser:
        assert parser.parallel
        parser.submit("k", shard, "catalog/shards/0.json")
        assert parser.result("k") == expected("k")  # from a worker
        for worker in parser._workers:
            worker.proc.kill()
            worker.proc.wait()
        parser.submit("k2", shard, "catalog/shards/0.json")
        assert parser.result("k2") == expected("k2")  # parsed here
    assert "a catalogue worker stopped" in caplog.text


def test_a_torn_shard_file_is_fetched_again(store: Store, data_dir: Path) -> None:
    """A shard file cut short by a crash (before its one sync) is not trusted for its name."""
    _stores(data_dir).add([store.url], store.result.root_sha256)
    kept = data_dir / "stores" / "sharded" / "shards"
    torn = next(p for p in kept.glob("*.json") if not p.name.endswith(".index.json"))
    torn.write_bytes(torn.read_bytes()[:100])
    for cache in kept.glob(f"{torn.stem[:32]}-*"):
        cache.unlink()  # its parsed form went with it
    stores = _stores(data_dir)
    [outcome] = stores.refresh()
    assert outcome.ok, outcome.error
    assert stores.client("sharded").sharded.fetched == 1
    assert outcome.catalog is not None and len(outcome.catalog.apps) == N
