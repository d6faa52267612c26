"""The demo store's quick check (``is_fresh``): what most starts find, known without loading the
publisher; never "fresh" when ``ensure_demo`` would have something to do."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from appstore.core import demo
from appstore.core.demo import ensure_demo, is_fresh
from appstore.core.publish import builder
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import load_keys
from appstore.core.services import Services


def test_the_check_knows_the_publishers_lifetimes() -> None:
    assert demo.lifetime.LIFETIME is builder.LIFETIME  # one table, read by both


def test_fresh_after_set_up_and_until_something_is_to_do(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    paths, stores = services.paths, services.stores
    assert is_fresh(paths, stores)
    assert not ensure_demo(paths, stores)  # and indeed: nothing changed

    # a role near its expiry: the timestamp published six days ago
    keys = load_keys(paths.demo_dir / "keys")
    publish(None, paths.demo_dir / "repo", keys, now=datetime.now(UTC) - timedelta(days=6))
    assert not is_fresh(paths, stores)
    assert services.freshen_demo() is None  # re-signs it
    assert is_fresh(paths, stores)

    # the sources changed
    stamp = paths.demo_dir / "source.sha256"
    kept = stamp.read_bytes()
    stamp.write_bytes(b"changed")
    assert not is_fresh(paths, stores)
    stamp.write_bytes(kept)
    assert is_fresh(paths, stores)

    # the trusted root is not the published one
    entry = stores.config.get("demo")
    root, entry.root_sha256 = entry.root_sha256, "0" * 64
    assert not is_fresh(paths, stores)
    entry.root_sha256 = root

    # a damaged snapshot
    meta = paths.demo_dir / "repo" / "metadata"
    snapshot = max(meta.glob("*.snapshot.json"), key=lambda p: int(p.name.split(".")[0]))
    snapshot.write_bytes(b"{")
    assert not is_fresh(paths, stores)


def test_no_demo_store_means_nothing_to_do_once_stores_are_configured(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    services.stores.remove("demo")
    assert is_fresh(services.paths, services.stores)
    assert Services.open(str(tmp_path / "d")).stores.config.stores == []
