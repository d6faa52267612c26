"""Hostile and broken conditions: slow or redirecting servers, FIFOs, deep JSON, damaged local
files, long arguments. Real servers on 127.0.0.1 and real files; nothing of ours is mocked."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appstore.core.catalog.models import CATALOG_TARGET
from appstore.core.catalog.shards import SHARD_INDEX, shard_name
from appstore.core.errors import (
    ConfigError,
    StoreError,
    StoreSecurityError,
    StoreUnreachable,
    shorten,
)
from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys
from appstore.core.publish.server import serve_forever
from appstore.core.publish.source import StoreContent, load_source
from appstore.core.services import Services
from appstore.core.store.client import StoreClient, translate
from appstore.core.store.config import check_store_url, normalise_fingerprint
from appstore.core.store.fetcher import Limits
from appstore.core.store.manager import Stores
from tests.conftest import Published

FAST = Limits(connect=2.0, stall=5.0, metadata=1.5, target=1.5)


# -- a store server that misbehaves on demand ---------------------------------------------------
class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the published tree; ``server.slow`` maps a path suffix to how to misbehave
    ("body": dribble the body, "headers": dribble the headers, "stall": send nothing);
    ``server.redirect`` maps a path prefix to the base a request under it is sent to."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        for prefix, base in self.server.redirect.items():
            if self.path.startswith(prefix):
                self.send_response(302)
                self.send_header("Location", base + self.path.removeprefix(prefix))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        mode = next((m for suffix, m in self.server.slow.items() if self.path.endswith(suffix)), None)
        if mode is None:
            super().do_GET()
            return
        self.close_connection = True
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
        try:
            if mode == "stall":
                self.wfile.write(head)
                self.wfile.flush()
                time.sleep(4)
                return
            data = head + b"x" * 100000 if mode == "headers" else b"x" * 100000
            if mode == "body":
                self.wfile.write(head)
            for i in range(len(data)):  # one byte every 50 ms: never a stall, never done
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:  # the client gave up
            return


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    slow: dict[str, str]
    redirect: dict[str, str]


@dataclass
class Bad:
    server: _Server
    url: str
    port: int


@pytest.fixture
def bad(published: Published) -> Iterator[Bad]:
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(published.out)))
    server.slow, server.redirect = {}, {}
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    port = server.server_address[1]
    yield Bad(server, f"http://127.0.0.1:{port}", port)
    server.shutdown()
    server.server_close()


def _stores(data_dir: Path, limits: Limits | None = None) -> Stores:
    return Stores(Paths.resolve(data_dir), limits=limits)


def _added(published: Published, url: str, data_dir: Path) -> Stores:
    stores = _stores(data_dir)
    assert stores.add([url], published.result.root_sha256).ok
    return stores


def _fast_client(stores: Stores, store_id: str = "teststore") -> StoreClient:
    entry = stores.config.get(store_id)
    return StoreClient(entry, stores.paths.store_dir(entry.id), limits=FAST)


# -- no hangs -----------------------------------------------------------------------------------
# "stall" sends the headers, then nothing for 4 s: under the 5 s stall timeout, so only the
# deadline's watchdog (which shuts the socket) ends the blocked read in time.
@pytest.mark.parametrize("mode", ["body", "headers", "stall"])
def test_a_dribbling_server_is_cut_off_at_the_deadline(
        bad: Bad, published: Published, data_dir: Path, mode: str) -> None:
    stores = _added(published, bad.url, data_dir)
    bad.server.slow["/metadata/timestamp.json"] = mode
    started = time.monotonic()
    outcome = _fast_client(stores).refresh()
    assert time.monotonic() - started < 3
    assert isinstance(outcome.error, StoreUnreachable)
    assert f"127.0.0.1:{bad.port} was too slow" in str(outcome.error)
    assert outcome.catalog is not None  # the last verified one


def test_a_server_that_stops_sending_hits_the_stall_timeout(
        bad: Bad, published: Published, data_dir: Path) -> None:
    stores = _added(published, bad.url, data_dir)
    bad.server.slow["/metadata/timestamp.json"] = "stall"
    entry = stores.config.get("teststore")
    client = StoreClient(entry, stores.paths.store_dir(entry.id),
                         limits=Limits(connect=2, stall=0.5, metadata=10, target=10))
    started = time.monotonic()
    outcome = client.refresh()
    assert time.monotonic() - started < 3
    assert "stopped answering" in str(outcome.error)


def test_adding_a_store_whose_root_dribbles_fails_in_time(bad: Bad, published: Published,
                                                          data_dir: Path) -> None:
    bad.server.slow["/metadata/1.root.json"] = "body"
    started = time.monotonic()
    with pytest.raises(StoreUnreachable, match=f"127.0.0.1:{bad.port} was too slow"):
        _stores(data_dir, FAST).add([bad.url], published.result.root_sha256)
    assert time.monotonic() - started < 5
    assert _stores(data_dir).config.stores == []


def test_a_fifo_in_a_file_store_is_refused_without_blocking(published: Published,
                                                            data_dir: Path) -> None:
    stores = _added(published, published.out.as_uri(), data_dir)
    ts = published.out / "metadata" / "timestamp.json"
    ts.unlink()
    os.mkfifo(ts)
    started = time.monotonic()
    [outcome] = stores.refresh()
    assert time.monotonic() - started < 5
    assert isinstance(outcome.error, StoreUnreachable)
    assert "not a regular file" in str(outcome.error)


def test_a_deeply_nested_signed_catalogue_is_refused(served: Published, data_dir: Path) -> None:
    stores = _added(served, served.url, data_dir)

    nested = b"[" * 100_000 + b"]" * 100_000
    for target in (SHARD_INDEX, shard_name(0, 0)):  # the shard index, then a shard

        class Nested(StoreContent):
            hostile = target

            def all_targets(self) -> dict[str, bytes]:
                return {**super().all_targets(), CATALOG_TARGET: nested, self.hostile: nested}

        content = load_source(served.src)
        publish(Nested(content.catalog, content.files), served.out, served.keys)
        [outcome] = stores.refresh()
        assert isinstance(outcome.error, StoreSecurityError)
        assert "nested too deeply" in str(outcome.error) and target in str(outcome.error)
        assert str(outcome.error).count("teststore") == 1
        assert outcome.catalog is not None


def test_deeply_nested_metadata_is_refused(served: Published, data_dir: Path) -> None:
    stores = _added(served, served.url, data_dir)
    # 8,000 deep still fits the 16 KB a timestamp may have
    (served.out / "metadata" / "timestamp.json").write_bytes(b"[" * 8_000 + b"]" * 8_000)
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreSecurityError)
    assert "metadata is invalid" in str(outcome.error)


# -- redirects ------------------------------------------------------------------------------------
def test_a_redirect_within_the_host_is_followed(bad: Bad, published: Published,
                                                data_dir: Path) -> None:
    bad.server.redirect["/moved/"] = "/"
    stores = _added(published, bad.url + "/moved", data_dir)
    assert stores.refresh()[0].ok


def test_a_redirect_to_another_host_is_refused(bad: Bad, published: Published,
                                               data_dir: Path) -> None:
    bad.server.redirect["/away/"] = f"http://localhost:{bad.port}/"
    with pytest.raises(StoreUnreachable) as caught:
        _stores(data_dir).add([bad.url + "/away"], published.result.root_sha256)
    message = str(caught.value)
    assert (f"127.0.0.1:{bad.port} redirects to http://localhost:{bad.port}; add that address "
            "as the store's URL or mirror") in message
    # and after the store was added, a mirror that starts redirecting is refused the same way
    stores = _added(published, bad.url, data_dir)
    bad.server.redirect["/metadata/"] = f"http://localhost:{bad.port}/metadata/"
    [outcome] = stores.refresh()
    assert "redirects to http://localhost" in str(outcome.error)


@pytest.mark.parametrize("src, dst, followed", [
    ("http://h.example/s/a", "http://h.example/t/a", True),
    ("http://h.example/s/a", "https://h.example/s/a", True),  # an upgrade on the same host
    ("http://h.example:8080/a", "https://h.example/a", True),
    ("https://h.example/a", "http://h.example/a", False),  # never a downgrade
    ("http://h.example/a", "http://h.example:81/a", False),
    ("http://127.0.0.1:8000/a", "http://localhost:8000/a", False),
    ("http://h.example/a", "http://u:p@h.example/a", False),
    ("http://h.example/a", "ftp://h.example/a", False),
    ("http://h.example/a", "http://[zz]/a", False),
])
def test_the_redirect_rule(src: str, dst: str, followed: bool) -> None:
    from appstore.core.store.config import foreign_redirect

    other = foreign_redirect(src, dst)
    assert (other is None) == followed, other
    if other:
        assert ":p@" not in other  # never a password in a message


def test_a_redirect_loop_ends(bad: Bad, published: Published, data_dir: Path) -> None:
    bad.server.redirect["/loop/"] = "/loop/"
    with pytest.raises(StoreUnreachable, match="redirects more than 5 times"):
        _stores(data_dir).add([bad.url + "/loop"], published.result.root_sha256)


# -- messages ---------------------------------------------------------------------------------------
def test_the_store_id_is_said_once(served: Published, data_dir: Path) -> None:
    stores = _added(served, served.url, data_dir)
    publish(load_source(served.src), served.out, served.keys,
            now=datetime.now(UTC) - timedelta(days=10))
    [outcome] = stores.refresh()
    assert "expired" in str(outcome.error) and str(outcome.error).count("teststore") == 1
    assert "stays in use" not in str(outcome.error)
    # the same error, as the targets of a failing store are asked for
    with pytest.raises(StoreSecurityError) as caught:
        Stores(Paths.resolve(data_dir)).client("teststore").fetch_target("icons/org.test.alpha.png")
    assert str(caught.value).count("teststore") == 1
    # a signed but malformed catalogue
    bad = json.loads(json.dumps(load_source(served.src).catalog))
    bad["apps"][0]["kind"] = 5
    publish(StoreContent(bad, load_source(served.src).files), served.out, served.keys)
    [outcome] = stores.refresh()
    assert "kind" in str(outcome.error) and str(outcome.error).count("teststore") == 1


def test_adding_names_the_host_never_a_temporary_id(served: Published, data_dir: Path) -> None:
    content = load_source(served.src)
    bad = json.loads(json.dumps(content.catalog))
    bad["apps"][0]["kind"] = 5
    publish(StoreContent(bad, content.files), served.out, served.keys)
    with pytest.raises(StoreSecurityError) as caught:
        _stores(data_dir).add([served.url], served.result.root_sha256)
    message = str(caught.value)
    assert message.startswith(served.url.removeprefix("http://") + ": ") and "pending" not in message
    assert not list((data_dir / "stores").glob("pending-*"))


def test_long_arguments_are_shortened(data_dir: Path) -> None:
    url = "http://127.0.0.1/" + "a" * 120_000
    with pytest.raises(ConfigError) as caught:
        _stores(data_dir).add([url], "00" * 32)
    assert len(str(caught.value)) < 300
    with pytest.raises(ConfigError) as caught:
        _stores(data_dir).remove("x" * 120_000)
    assert len(str(caught.value)) < 300
    with pytest.raises(ConfigError) as caught:
        _stores(data_dir).add(["http://127.0.0.1:9/"], "f" * 120_000)
    assert len(str(caught.value)) < 300
    assert shorten("y" * 100) == "y" * 80 + "…" and shorten("a\nb") == "a?b"


@pytest.mark.parametrize("url, phrase", [
    ("http://[zz]/", "http://[zz]/"),
    ("https://user:secret@example.org/store", "remove the user name and password"),
    ("http:///path", "names no host"),
    ("http://example.org/a store", "spaces or control characters"),
    ("http://example.org/\x07", "spaces or control characters"),
    ("http://example.org:99999/", "Port out of range"),
    ("ftp://example.org/store", "https://host/path"),
    ("file://server/share", "file:///path/to/store"),
])
def test_bad_store_urls_are_refused_clearly(url: str, phrase: str) -> None:
    with pytest.raises(ConfigError, match="is not a store URL") as caught:
        check_store_url(url)
    assert phrase in str(caught.value) and "secret" not in str(caught.value)


def test_a_bad_fingerprint_is_refused_before_any_download(data_dir: Path) -> None:
    # port 9 refuses connections: had it tried, it would say "cannot reach"
    for bad in ("abc", "zz" * 32, "0" * 63):
        with pytest.raises(ConfigError, match="64 hexadecimal digits"):
            _stores(data_dir).add(["http://127.0.0.1:9/"], bad)
    grouped = " ".join(["AB:CD"] * 16)
    assert normalise_fingerprint(grouped) == "abcd" * 16


def test_a_pin_in_upper_case_with_separators_works(published: Published, data_dir: Path) -> None:
    pin = published.result.root_sha256.upper()
    spaced = " ".join(pin[i:i + 4] for i in range(0, 64, 4))
    outcome = _stores(data_dir).add([published.out.as_uri()], spaced)
    assert outcome.ok
    assert _stores(data_dir).config.get("teststore").root_sha256 == published.result.root_sha256


def test_translate_keeps_bugs_apart() -> None:
    with pytest.raises(ZeroDivisionError):
        translate(ZeroDivisionError("a bug"), "somewhere")
    err = translate(StoreUnreachable("could not connect to h (connection refused)"), "s")
    assert str(err).startswith("s: cannot reach the store") and "stays in use" not in str(err)
    assert translate(err, "other") is err and str(err).count("s: ") == 1


# -- damaged local files ----------------------------------------------------------------------------
def test_interrupted_adds_are_cleaned_at_start(data_dir: Path) -> None:
    old, fresh = data_dir / "stores" / "pending-0123abcd", data_dir / "stores" / "pending-fresh"
    for d in (old, fresh):
        (d / "metadata").mkdir(parents=True)
    an_hour_ago = time.time() - 7200
    os.utime(old, (an_hour_ago, an_hour_ago))
    _stores(data_dir)
    assert not old.exists()
    assert fresh.exists()  # perhaps another process's add in progress


@pytest.mark.parametrize("text, phrase", [
    ("[]", "must be a JSON object"),
    ("{}", "unknown schema"),
    ('{"schema": 1, "stores": [1]}', "stores[0] must be an object"),
    ('{"schema": 1, "stores": {}}', "'stores' must be a list"),
    ('{"schema": 1, "stores": [{"id": 5, "mirrors": [], "root_sha256": "", "added": ""}]}',
     "stores[0].id"),
    ('{"schema": 1, "stores": [{"id": "a", "mirrors": "file:///x", "root_sha256": "", "added": ""}]}',
     "stores[0].mirrors"),
    ('{"schema": 1, "stores": [{"id": "a", "mirrors": ["file:///x"], "root_sha256": 1, "added": ""}]}',
     "stores[0].root_sha256"),
    ('{"schema": 1, "stores": [{"id": "../../etc", "mirrors": ["file:///x"], "root_sha256": "'
     + "0" * 64 + '", "added": ""}]}', "stores[0].id"),
    ("[" * 100_000, "nested too deeply"),
])
def test_a_damaged_stores_file_is_a_clear_config_error(data_dir: Path, text: str, phrase: str) -> None:
    (data_dir / "stores.json").write_text(text)
    with pytest.raises(ConfigError) as caught:
        _stores(data_dir)
    message = str(caught.value)
    assert str(data_dir / "stores.json") in message and phrase in message
    assert "move it away" in message


@pytest.mark.parametrize("text", ["[1, 2]", '{"last_success": 5, "catalog_sha256": []}', "\xff",
                                  "{" * 100_000])
def test_a_damaged_state_file_is_no_state(published: Published, data_dir: Path, text: str) -> None:
    stores = _added(published, published.out.as_uri(), data_dir)
    state = data_dir / "stores" / "teststore" / "state.json"
    state.write_text(text, "utf-8", errors="surrogateescape")
    fresh = _stores(data_dir)
    assert fresh.client("teststore").state().last_success is None
    assert fresh.cached()[0].ok
    assert stores.refresh()[0].ok


def test_state_that_cannot_be_saved_is_reported_not_raised(published: Published,
                                                           data_dir: Path) -> None:
    stores = _added(published, published.out.as_uri(), data_dir)
    state = data_dir / "stores" / "teststore" / "state.json"
    state.unlink()
    state.mkdir()
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreError) and "could not be saved" in str(outcome.error)
    assert outcome.catalog is not None
    # and when the refresh fails too (its error path saves the state again)
    stores.config.get("teststore").mirrors = [(published.out.parent / "gone").as_uri()]
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreError) and "no signed store" not in str(outcome.error)


@pytest.mark.parametrize("damage", ["garbage", "bad signature", "folder"])
def test_a_damaged_trusted_root_starts_again_from_the_pin(served: Published, data_dir: Path,
                                                          damage: str) -> None:
    stores = _added(served, served.url, data_dir)
    root = data_dir / "stores" / "teststore" / "metadata" / "root.json"
    if damage == "garbage":
        root.write_bytes(b"\x00garbage")
    elif damage == "bad signature":
        md = json.loads(root.read_bytes())
        md["signed"]["expires"] = "2099-01-01T00:00:00Z"
        root.write_text(json.dumps(md))
    else:
        root.unlink()
        root.mkdir()
    [outcome] = stores.refresh()
    assert outcome.ok, outcome.error
    assert Stores(Paths.resolve(data_dir)).refresh()[0].ok


def test_a_damaged_trusted_root_never_trusts_another_store(served: Published, data_dir: Path,
                                                           tmp_path: Path) -> None:
    stores = _added(served, served.url, data_dir)
    (data_dir / "stores" / "teststore" / "metadata" / "root.json").write_bytes(b"garbage")
    # the server now offers a different store: the pin refuses it
    other = tmp_path / "other"
    publish(load_source(served.src), other, init_keys(tmp_path / "other-keys"))
    shutil.rmtree(served.out / "metadata")
    shutil.copytree(other / "metadata", served.out / "metadata")
    [outcome] = stores.refresh()
    assert isinstance(outcome.error, StoreSecurityError) and "root fingerprint" in str(outcome.error)


def test_a_damaged_demo_key_does_not_stop_the_other_stores(published: Published,
                                                           tmp_path: Path) -> None:
    data = tmp_path / "d"
    services = Services.open(str(data))
    assert services.stores.add([published.out.as_uri()], published.result.root_sha256).ok
    (data / "demo-store" / "keys" / "timestamp.pem").write_bytes(b"garbage")
    (data / "demo-store" / "source.sha256").write_bytes(b"\xff changed")  # forces a re-publish
    warnings: list[str] = []
    services = Services.open(str(data), on_warning=warnings.append)
    [warning] = warnings
    assert "demo store could not be updated" in warning and "keys/timestamp.pem" in warning
    view, _ = services.load_catalog()
    assert {"demo", "teststore"} <= {e.app.store for e in view.listings}


# -- data dir, keys, server ------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["file", "file/sub", "/dev/null"])
def test_a_data_dir_that_cannot_be_one(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("x")
    target = where if where.startswith("/") else str(tmp_path / where)
    with pytest.raises(ConfigError, match="as the data dir"):
        Services.open(target)


def test_keys_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot create keys"):
        init_keys(tmp_path / "file" / "sub")


def test_serving_on_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(ConfigError, match="another server"):
            serve_forever(tmp_path, s.getsockname()[1])
