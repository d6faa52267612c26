"""The embedded demo store: its sources, and how it is set up on first run and kept fresh."""

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tuf.api.metadata import Metadata

from appstore.core.catalog.parse import parse_catalog
from appstore.core.demo import ensure_demo
from appstore.core.publish.source import load_source
from appstore.core.resources import DEMO_SOURCE
from appstore.core.services import Services


def test_demo_sources_meet_the_bar() -> None:
    content = load_source(DEMO_SOURCE)
    catalog = parse_catalog(content.catalog)
    web = [a for a in catalog.apps if a.kind == "web"]
    links = [a for a in catalog.apps if a.kind == "link"]
    assert len(web) >= 13 and 1 <= len(links) <= 2
    assert len({c for a in catalog.apps for c in a.categories}) >= 5
    assert sum(1 for a in web if len(a.releases) >= 2) >= 2
    for app in web:
        assert len(app.screenshots) >= 2, app.id
        assert app.icon in content.files
        for field in (app.name, app.summary, app.description):
            assert field.get("en") and field.get("zh_CN"), app.id
        for rel in app.releases:
            with zipfile.ZipFile(_as_file(content.files[rel.package])) as zf:
                manifest = json.loads(zf.read("dapp.json"))
                assert manifest["id"] == app.id and manifest["version"] == rel.version
                assert manifest["entry"] in zf.namelist()
                html = zf.read(manifest["entry"]).decode()
                assert "zh:" in html and "en:" in html  # the DApp itself speaks both languages


def _as_file(data: bytes) -> "object":
    import io

    return io.BytesIO(data)


def test_demo_store_set_up_on_first_run(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    view, outcomes = services.load_catalog()
    assert all(o.ok for o in outcomes)
    [entry] = services.stores.config.stores
    assert entry.builtin and entry.mirrors[0].startswith("file://")
    assert len(view.listings) >= 14
    assert view.find("org.imapp.charity").app.store == "demo"
    assert not any(p.suffix == ".pem" for p in (tmp_path / "d").rglob("*") if "keys" not in p.parts)
    # and again: the second start re-uses everything
    again = Services.open(str(tmp_path / "d"))
    assert [s.id for s in again.stores.config.stores] == ["demo"]


def test_each_start_keeps_metadata_from_expiring(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    repo = services.paths.demo_dir / "repo" / "metadata"
    ts_before = Metadata.from_bytes((repo / "timestamp.json").read_bytes()).signed
    # pretend the timestamp is about to expire by publishing "in the past"
    from appstore.core.publish.builder import publish
    from appstore.core.publish.keys import load_keys

    keys = load_keys(services.paths.demo_dir / "keys")
    publish(None, services.paths.demo_dir / "repo", keys, now=datetime.now(UTC) - timedelta(days=6))
    stale = Metadata.from_bytes((repo / "timestamp.json").read_bytes()).signed
    assert stale.expires < datetime.now(UTC) + timedelta(days=2)
    ensure_demo(services.paths, services.stores)
    fresh = Metadata.from_bytes((repo / "timestamp.json").read_bytes()).signed
    # every publish signs a new timestamp, and the start re-signs the nearly expired one: +1 each
    assert stale.version == ts_before.version + 1
    assert fresh.version == stale.version + 1
    assert fresh.expires > datetime.now(UTC) + timedelta(days=6)
    assert services.stores.refresh()[0].ok


def test_removed_demo_store_stays_removed(tmp_path: Path) -> None:
    services = Services.open(str(tmp_path / "d"))
    services.stores.remove("demo")
    assert Services.open(str(tmp_path / "d")).stores.config.stores == []


def test_a_lost_demo_folder_is_rebuilt_and_trusted_again(tmp_path: Path) -> None:
    """Losing DATA/demo-store (keys and tree) makes new keys: the demo store is this computer's
    own, so its new root is trusted instead of failing as "signed with the wrong key" for ever."""
    import shutil

    services = Services.open(str(tmp_path / "d"))
    before = services.stores.config.get("demo").root_sha256
    shutil.rmtree(services.paths.demo_dir)
    again = Services.open(str(tmp_path / "d"))
    entry = again.stores.config.get("demo")
    assert entry.root_sha256 != before
    outcome = again.stores.refresh(["demo"])[0]
    assert outcome.error is None and outcome.catalog is not None
    assert again.load_catalog()[0].find("org.imapp.notes")
