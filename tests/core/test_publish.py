import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata

from appstore.core.errors import ConfigError, SourceError
from appstore.core.publish.builder import BINS_FROM_APPS, publish
from appstore.core.publish.keys import init_keys, load_keys
from appstore.core.publish.source import MAX_ICON, StoreContent, load_source
from tests.conftest import Published
from tests.storekit import make_source, png, write_app, write_release


def _meta(out: Path, name: str) -> Metadata:  # type: ignore[type-arg]
    return Metadata.from_bytes((out / "metadata" / name).read_bytes())


def test_publish_layout_and_fingerprint(published: Published) -> None:
    out = published.out
    assert (out / "metadata" / "1.root.json").exists()
    assert (out / "metadata" / "timestamp.json").exists()
    import hashlib

    assert published.result.root_sha256 == hashlib.sha256(
        (out / "metadata" / "1.root.json").read_bytes()).hexdigest()
    targets = _meta(out, "1.targets.json").signed.targets
    assert "catalog/index.json" in targets
    assert "packages/org.test.alpha/org.test.alpha-1.0.0.zip" in targets
    # consistent snapshot: files are stored under their hash
    tf = targets["icons/org.test.alpha.png"]
    assert (out / "targets" / "icons" / f"{tf.hashes['sha256']}.org.test.alpha.png").exists()
    snap = _meta(out, "1.snapshot.json").signed
    assert snap.meta["targets.json"].length == len((out / "metadata/1.targets.json").read_bytes())


def test_republish_unchanged_only_resigns_timestamp_and_snapshot(published: Published) -> None:
    before = published.result.versions
    again = published.republish()
    assert not again.targets_changed
    assert again.versions["targets"] == before["targets"]
    assert again.versions["root"] == before["root"]
    assert again.versions["snapshot"] == before["snapshot"] + 1
    assert again.versions["timestamp"] == before["timestamp"] + 1
    assert again.root_sha256 == published.result.root_sha256


def test_republish_changed_bumps_targets(published: Published) -> None:
    write_release(published.src, "org.test.alpha", "1.1.0", ["storage"])
    meta = json.loads((published.src / "apps/org.test.alpha/app.json").read_text())
    meta["releases"].append({"version": "1.1.0", "date": "2026-02-01"})
    (published.src / "apps/org.test.alpha/app.json").write_text(json.dumps(meta))
    again = published.republish()
    assert again.targets_changed
    assert again.versions["targets"] == 2
    index = json.loads(load_source(published.src).all_targets()["catalog/index.json"])
    alpha = next(a for a in index["apps"] if a["id"] == "org.test.alpha")
    assert [r["version"] for r in alpha["releases"]] == ["1.0.0", "1.1.0"]


def test_packages_are_reproducible(tmp_path: Path) -> None:
    a = load_source(make_source(tmp_path / "a")).all_targets()
    b = load_source(make_source(tmp_path / "b")).all_targets()
    assert a == b


def test_keep_fresh_resigns_roles_near_expiry(published: Published) -> None:
    later = datetime.now(UTC) + timedelta(days=60)  # targets (90 d) past half-life
    result = publish(None, published.out, published.keys, now=later, force_timestamp=False)
    assert result.versions["targets"] == 2
    assert not result.targets_changed
    ts = _meta(published.out, "timestamp.json").signed
    assert ts.expires > later + timedelta(days=6)


def test_wrong_keys_refused(published: Published, tmp_path: Path) -> None:
    other = init_keys(tmp_path / "other-keys")
    with pytest.raises(ConfigError, match="does not sign this store"):
        publish(load_source(published.src), published.out, other)


def test_keys_init_refuses_to_overwrite(tmp_path: Path) -> None:
    init_keys(tmp_path / "k")
    with pytest.raises(ConfigError, match="already holds keys"):
        init_keys(tmp_path / "k")
    assert (tmp_path / "k" / "root.pem").stat().st_mode & 0o077 == 0
    assert load_keys(tmp_path / "k")["root"].public_key.keyid


def _expect_source_error(src: Path, *fragments: str) -> None:
    with pytest.raises(SourceError) as err:
        load_source(src)
    for f in fragments:
        assert f in str(err.value), str(err.value)


def test_missing_icon_named(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    (src / "apps/org.test.beta/icon.png").unlink()
    _expect_source_error(src, "apps/org.test.beta/icon.png", "icon is missing")


def test_oversized_icon_named(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    (src / "apps/org.test.beta/icon.png").write_bytes(png() + b"\0" * MAX_ICON)
    _expect_source_error(src, "apps/org.test.beta/icon.png", "more than the limit")


def test_not_an_image(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    (src / "apps/org.test.beta/screenshots/1.png").write_text("<svg/>")
    _expect_source_error(src, "screenshots/1.png", "PNG or JPEG")


def test_manifest_id_mismatch(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    m = src / "apps/org.test.beta/releases/1.0.0/dapp.json"
    m.write_text(json.dumps({"id": "org.evil", "version": "1.0.0", "entry": "index.html"}))
    _expect_source_error(src, "dapp.json", "'org.evil'", "org.test.beta")


def test_manifest_bad_json_and_missing_entry(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    m = src / "apps/org.test.beta/releases/1.0.0/dapp.json"
    m.write_text("{nope")
    _expect_source_error(src, "dapp.json", "not valid UTF-8 JSON")
    m.write_text(json.dumps({"id": "org.test.beta", "version": "1.0.0", "entry": "main.html"}))
    _expect_source_error(src, "dapp.json", "main.html")


def test_manifest_permission_not_declared(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    m = src / "apps/org.test.beta/releases/1.0.0/dapp.json"
    m.write_text(json.dumps({"id": "org.test.beta", "version": "1.0.0", "entry": "index.html",
                             "permissions": ["wallet.pay"]}))
    _expect_source_error(src, "dapp.json", "wallet.pay", "does not declare")


def test_release_folder_missing(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    shutil.rmtree(src / "apps/org.test.beta/releases/1.0.0")
    _expect_source_error(src, "releases/1.0.0", "is missing")


def test_bad_catalogue_field_names_app_file(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    write_app(src, "org.test.gamma", categories=["nonsense"])
    _expect_source_error(src, "apps/org.test.gamma/app.json", "unknown category 'nonsense'")
    write_app(src, "org.test.gamma", name={"zh_CN": "只有中文"})
    _expect_source_error(src, "apps/org.test.gamma/app.json", "name", "English")


def test_app_json_id_must_match_folder(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    write_app(src, "org.test.gamma", id="org.test.other")
    _expect_source_error(src, "org.test.gamma/app.json", "folder is named")


def test_link_app_needs_url(tmp_path: Path) -> None:
    src = make_source(tmp_path / "s")
    write_app(src, "org.test.link", kind="link", releases=[], permissions=["network"])
    _expect_source_error(src, "org.test.link/app.json", "link DApp needs")


def test_failed_publish_leaves_store_untouched(published: Published) -> None:
    before = {p: p.read_bytes() for p in (published.out / "metadata").iterdir()}
    (published.src / "apps/org.test.beta/icon.png").unlink()
    with pytest.raises(SourceError):
        published.republish()
    after = {p: p.read_bytes() for p in (published.out / "metadata").iterdir()}
    assert before == after


def _synthetic(n: int) -> StoreContent:
    apps = []
    files: dict[str, bytes] = {}
    for i in range(n):
        app_id = f"org.synth.app{i}"
        files[f"icons/{app_id}.png"] = png(1, 1, (i % 256, 0, 0))
        apps.append({"id": app_id, "name": {"en": f"App {i}"}, "summary": {"en": "s"},
                     "description": {"en": "d"}, "categories": ["tools"], "kind": "link",
                     "url": "https://example.org", "icon": f"icons/{app_id}.png",
                     "developer": "x", "license": "MIT"})
    catalog = {"format": 1, "store": {"id": "synth", "name": {"en": "S"}},
               "categories": {"tools": {"en": "Tools"}}, "apps": apps}
    return StoreContent(catalog, files)


def test_big_store_uses_hashed_bins(tmp_path: Path) -> None:
    keys = init_keys(tmp_path / "k")
    out = tmp_path / "out"
    publish(_synthetic(BINS_FROM_APPS + 1), out, keys)
    top = _meta(out, "1.targets.json").signed
    # the catalogue's files stay in targets.json (a refresh verifies no bin); the rest in bins
    assert top.targets and all(p.startswith("catalog/") for p in top.targets)
    assert {"catalog/index.json", "catalog/shards.json"} <= set(top.targets)
    assert top.delegations is not None and top.delegations.succinct_roles is not None
    snap = _meta(out, "1.snapshot.json").signed
    bins = [k for k in snap.meta if k.startswith("bins-")]
    assert len(bins) == 2 ** top.delegations.succinct_roles.bit_length
    assert all(m.length for m in snap.meta.values())


def test_common_files_go_into_every_package_unless_shadowed(tmp_path: Path) -> None:
    import io
    import zipfile

    src = make_source(tmp_path / "s")
    (src / "common").mkdir()
    (src / "common" / "kit.css").write_text("body{}")
    (src / "common" / "index.html").write_text("shadowed by the release's own")
    content = load_source(src)
    for app_id in ("org.test.alpha", "org.test.beta"):
        data = content.files[f"packages/{app_id}/{app_id}-1.0.0.zip"]
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.read("kit.css") == b"body{}"
            assert app_id.encode() in zf.read("index.html")
