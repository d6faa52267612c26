"""The client against real published stores served over HTTP on 127.0.0.1, and attacks on them."""

import json
import shutil
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appstore.core.errors import (
    ConfigError,
    NotFound,
    StoreError,
    StoreSecurityError,
    StoreUnreachable,
    UnknownRoot,
)
from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.server import serve_in_thread
from appstore.core.publish.source import load_source
from appstore.core.store import client as store_client
from appstore.core.store.manager import CatalogView, Stores
from tests.conftest import Published
from tests.storekit import make_source, write_app


def _stores(data_dir: Path) -> Stores:
    return Stores(Paths.resolve(data_dir))


def _add(served: Published, data_dir: Path) -> Stores:
    stores = _stores(data_dir)
    outcome = stores.add([served.url], served.result.root_sha256)
    assert outcome.ok and outcome.catalog is not None
    return stores


def _change_content(pub: Published) -> None:
    write_app(pub.src, "org.test.gamma")
    pub.republish()


def test_add_refresh_search_show(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    assert [s.id for s in stores.config.stores] == ["teststore"]
    [outcome] = stores.refresh()
    assert outcome.ok
    view = CatalogView([outcome.catalog])  # type: ignore[list-item]
    assert [e.ref for e in view.search("alp")] == ["org.test.alpha"]
    app = view.find("org.test.beta").app
    assert app.store == "teststore" and app.version == "1.0.0"
    # loaded from the fast cache, the description is read from disk on first use
    assert dict(app.description) == {"en": "About org.test.beta.", "zh_CN": "说明。"}
    assert app.latest is not None and len(app.latest.sha256) == 64
    # the config survives a restart
    assert _stores(data_dir).config.get("teststore").root_sha256 == served.result.root_sha256


def test_wrong_fingerprint_refused_and_nothing_saved(served: Published, data_dir: Path) -> None:
    before = {p: p.read_bytes() for p in data_dir.rglob("*")}
    assert list(before) == [data_dir / "stores.json"]
    stores = _stores(data_dir)
    with pytest.raises(UnknownRoot, match="root fingerprint is .* not the"):
        stores.add([served.url], "ab" * 32)
    assert stores.config.stores == []
    assert _stores(data_dir).config.stores == []
    # nothing written at all: no store folder, no metadata, stores.json byte for byte the same
    assert {p: p.read_bytes() for p in data_dir.rglob("*")} == before


def test_confirm_callback_sees_fingerprint(served: Published, data_dir: Path) -> None:
    seen: list[str] = []
    with pytest.raises(ConfigError, match="cancelled"):
        _stores(data_dir).add([served.url], None, confirm=lambda fp: seen.append(fp) or False)
    assert seen == [served.result.root_sha256]
    outcome = _stores(data_dir).add([served.url], None, confirm=lambda fp: True)
    assert outcome.ok


def test_new_release_seen_after_refresh(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    _change_content(served)
    [outcome] = stores.refresh()
    assert outcome.ok and outcome.catalog is not None
    assert "org.test.gamma" in {a.id for a in outcome.catalog.apps}


def test_a_refresh_that_finds_nothing_new_rebuilds_nothing(served: Published, data_dir: Path) -> None:
    from appstore.core.services import Services

    _add(served, data_dir)
    services = Services.open(str(data_dir), demo=False)
    view, _ = services.load_catalog(refresh=True)
    for _ in range(3):
        again, [outcome] = services.load_catalog(refresh=True)
        assert outcome.ok and again is view  # same catalogue object, same view: nothing rebuilt
    _change_content(served)
    changed, [outcome] = services.load_catalog(refresh=True)
    assert outcome.ok and changed is not view
    assert changed.find("org.test.gamma")
    offline, _ = services.load_catalog()  # the last verified catalogue, unchanged
    assert offline is changed
    services.close()


def _refresh_fails(stores: Stores, kind: type[StoreError], *phrases: str) -> None:
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, kind), outcome.error
    for p in phrases:
        assert p in str(outcome.error), str(outcome.error)
    # the last verified catalogue stays usable
    assert outcome.catalog is not None
    assert {a.id for a in outcome.catalog.apps} >= {"org.test.alpha", "org.test.beta"}
    st = stores.client(outcome.store_id).state()
    assert st.last_error == str(outcome.error) and st.last_success is not None


def test_tampered_package_rejected(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    pkg = next((served.out / "targets/packages/org.test.alpha").glob("*.zip"))
    data = bytearray(pkg.read_bytes())
    data[-10] ^= 0xFF
    pkg.write_bytes(bytes(data))
    client = stores.client("teststore")
    with pytest.raises(StoreSecurityError, match="does not match what the store signed"):
        client.fetch_target("packages/org.test.alpha/org.test.alpha-1.0.0.zip")
    assert not (client.targets_dir / "packages/org.test.alpha/org.test.alpha-1.0.0.zip").exists()
    # an untouched target still verifies
    assert client.fetch_target("icons/org.test.beta.png").read_bytes().startswith(b"\x89PNG")


def test_tampered_targets_metadata_rejected(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    _change_content(served)
    tpath = served.out / "metadata" / "2.targets.json"
    text = tpath.read_text()
    # same length, different signed content: only the signature can catch it
    i = text.index('"sha256":"') + 10
    flipped = "0" if text[i] != "0" else "1"
    tpath.write_text(text[:i] + flipped + text[i + 1:])
    _refresh_fails(stores, StoreSecurityError, "bad signature")


def test_expired_timestamp_rejected(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    publish(load_source(served.src), served.out, served.keys,
            now=datetime.now(UTC) - timedelta(days=10))
    _refresh_fails(stores, StoreSecurityError, "expired")


def test_rollback_rejected(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    old = served.out / "metadata" / "timestamp.json"
    saved = old.read_bytes()
    _change_content(served)
    assert stores.refresh()[0].ok
    old.write_bytes(saved)  # a mirror replays the older timestamp
    _refresh_fails(stores, StoreSecurityError, "rollback")


def test_mix_of_old_and_new_metadata_rejected(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    meta = served.out / "metadata"
    old_snapshot = (meta / "1.snapshot.json").read_bytes()
    _change_content(served)
    (meta / "2.snapshot.json").write_bytes(old_snapshot)  # new timestamp, old snapshot
    _refresh_fails(stores, StoreSecurityError, "does not match what the store signed")


def test_unreachable_keeps_catalogue_and_says_so(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    entry = stores.config.get("teststore")
    entry.mirrors = ["http://127.0.0.1:9"]  # discard port: connection refused
    stores.config.save()
    _refresh_fails(stores, StoreUnreachable, "cannot reach", "127.0.0.1:9")


def test_mirror_failover(served: Published, data_dir: Path) -> None:
    stores = _stores(data_dir)
    outcome = stores.add(["http://127.0.0.1:9", served.url], served.result.root_sha256)
    assert outcome.ok
    assert stores.refresh()[0].ok


def test_bad_url_refused(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="not a store URL"):
        _stores(data_dir).add(["ftp://example.org/store"], "00" * 32)


def test_no_store_at_url(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "empty").mkdir()
    server, url = serve_in_thread(tmp_path / "empty")
    try:
        with pytest.raises(StoreError, match="no signed store here"):
            _stores(data_dir).add([url], "00" * 32)
    finally:
        server.shutdown()
        server.server_close()


def test_lost_local_metadata_rebootstraps_from_pin(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    shutil.rmtree(data_dir / "stores" / "teststore" / "metadata")
    assert stores.refresh()[0].ok


def test_file_url_store(published: Published, data_dir: Path) -> None:
    outcome = _stores(data_dir).add([published.out.as_uri()], published.result.root_sha256)
    assert outcome.ok


def test_ids_namespaced_where_they_clash(tmp_path: Path, data_dir: Path) -> None:
    from appstore.core.publish.keys import init_keys

    stores = _stores(data_dir)
    for name in ("one", "two"):
        src = make_source(tmp_path / f"src-{name}", ("org.test.shared", f"org.test.{name}"),
                          store_id=f"store{name}")
        out = tmp_path / f"out-{name}"
        res = publish(load_source(src), out, init_keys(tmp_path / f"k-{name}"))
        stores.add([out.as_uri()], res.root_sha256)
    view = CatalogView(o.catalog for o in stores.refresh() if o.catalog)
    refs = {e.ref for e in view.listings}
    assert {"storeone/org.test.shared", "storetwo/org.test.shared", "org.test.one"} <= refs
    with pytest.raises(NotFound, match="several stores"):
        view.find("org.test.shared")
    assert view.find("storetwo/org.test.shared").app.store == "storetwo"
    assert view.find("storeone/org.test.one").ref == "org.test.one"


def test_signed_but_malformed_catalogue_refused(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    from appstore.core.publish.source import StoreContent

    content = load_source(served.src)
    bad = json.loads(json.dumps(content.catalog))
    bad["apps"][0]["kind"] = 7  # malformed (an unknown kind *name* would just be skipped)
    publish(StoreContent(bad, content.files), served.out, served.keys)
    _refresh_fails(stores, StoreSecurityError, "apps[0].kind")


def test_remove_store(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    stores.remove("teststore")
    assert not (data_dir / "stores" / "teststore").exists()
    assert _stores(data_dir).config.stores == []


def test_damaged_fast_cache_falls_back_to_the_verified_catalogue(served: Published, data_dir: Path) -> None:
    _add(served, data_dir)
    caches = list((data_dir / "stores" / "teststore" / "shards").glob("*.cache"))
    assert caches  # one per shard
    for cache in caches:
        cache.write_bytes(b"garbage")
    for stores in (_stores(data_dir), _stores(data_dir)):  # as the next starts would
        [outcome] = stores.refresh()  # (only from the verified shards here: none fetched)
        assert outcome.ok and outcome.catalog is not None
        assert {a.id for a in outcome.catalog.apps} == {"org.test.alpha", "org.test.beta"}
        assert all(a.store == "teststore" for a in outcome.catalog.apps)
        assert stores.client("teststore").sharded.fetched == 0
    assert all(cache.read_bytes() != b"garbage" for cache in caches)  # rewritten


def test_verified_targets_stay_usable_offline(served: Published, data_dir: Path) -> None:
    stores = _add(served, data_dir)
    icon = stores.client("teststore").fetch_target("icons/org.test.alpha.png")
    # the store's only mirror goes dead, and imapp starts again from what is on disk
    stores.config.get("teststore").mirrors = ["http://127.0.0.1:9"]  # discard port: refused
    stores.config.save()
    offline = Stores(Paths.resolve(data_dir))
    assert offline.config.get("teststore").mirrors == ["http://127.0.0.1:9"]
    client = offline.client("teststore")
    with pytest.raises(StoreUnreachable):
        client.target_info("icons/org.test.alpha.png")  # the store really cannot be checked
    again = client.fetch_target("icons/org.test.alpha.png")
    assert again == icon and again.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(StoreUnreachable):
        client.fetch_target("icons/org.test.beta.png")  # never fetched: nothing to fall back on


def test_target_lookups_let_go_of_the_metadata_they_loaded(
        served: Published, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TUF's updater keeps every delegated role it loads (a big store's bins: all of them once
    enough icons were shown): after ``LOOKUPS_PER_UPDATER`` lookups a fresh one starts from the
    trusted metadata; offline, the one at hand goes on answering."""
    monkeypatch.setattr(store_client, "LOOKUPS_PER_UPDATER", 2)
    client = _add(served, data_dir).client("teststore")
    alpha = client.target_info("icons/org.test.alpha.png")
    updater = client._updater
    client.target_info("icons/org.test.beta.png")
    assert client._updater is updater
    again = client.target_info("icons/org.test.alpha.png")  # the third lookup: a fresh updater
    assert client._updater is not updater and client._updater is not None
    assert (again.length, again.hashes) == (alpha.length, alpha.hashes)
    renewed = client._updater
    dead = socket.create_server(("127.0.0.1", 0))  # the store goes dead: connections dropped
    calls: list[object] = []

    def drop() -> None:
        while True:
            try:
                conn, _ = dead.accept()
            except OSError:
                return
            calls.append(conn)
            conn.close()

    threading.Thread(target=drop, daemon=True).start()
    client.entry.mirrors = [f"http://127.0.0.1:{dead.getsockname()[1]}"]
    try:
        client.target_info("icons/org.test.beta.png")
        beta = client.target_info("icons/org.test.beta.png")  # a renewal fails: the one at hand
        assert client._updater is renewed and beta.length > 0
        asked = len(calls)
        assert asked > 0
        for _ in range(6):  # three more renewals would be due: none is tried for RETRY_AFTER
            client.target_info("icons/org.test.alpha.png")
        assert len(calls) == asked
    finally:
        dead.close()
    assert client.fetch_target("icons/org.test.alpha.png").read_bytes().startswith(b"\x89PNG")
