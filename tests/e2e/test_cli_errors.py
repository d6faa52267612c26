"""The CLI as a real process when things are wrong: every failure is ONE line on stderr that
starts with ``error:`` (exit 1), usage mistakes exit 2, and nothing ever shows a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Published

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, data: Path | None = None, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "appstore"]
    if data is not None:
        cmd += ["--data-dir", str(data)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "IMAPP_DATA_DIR": "", **(env or {})})


def one_error(proc: subprocess.CompletedProcess[str], *phrases: str) -> str:
    """The single ``error:`` line of a failed run (exit 1), which holds every phrase."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for p in phrases:
        assert p in lines[0], lines[0]
    return lines[0]


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def with_store(published: Published, data_dir: Path) -> Path:
    """A data dir holding the published test store (over file://)."""
    ok(cli("store", "add", published.out.as_uri(), "--root-sha256", published.result.root_sha256,
           data=data_dir))
    return data_dir


# -- the data dir -----------------------------------------------------------------------------
def test_data_dir_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    one_error(cli("search", data=tmp_path / "file"), "as the data dir", "not a folder")


def test_data_dir_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    one_error(cli("store", "list", data=tmp_path / "file" / "sub"), "as the data dir",
              "not a directory")


def test_data_dir_is_dev_null() -> None:
    one_error(cli("search", data=Path("/dev/null")), "/dev/null", "not a folder")


def test_data_dir_from_the_environment_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    one_error(cli("search", env={"IMAPP_DATA_DIR": str(tmp_path / "file")}), str(tmp_path / "file"),
              "IMAPP_DATA_DIR")


def test_a_data_dir_where_nothing_can_be_written(published: Published, data_dir: Path) -> None:
    # (as root, permission bits do not stop writes: a file where a folder must go does)
    (data_dir / "stores").write_text("in the way")
    proc = cli("store", "add", published.out.as_uri(), "--root-sha256",
               published.result.root_sha256, data=data_dir)
    one_error(proc, "cannot use the local store files", "Not a directory")
    (data_dir / "stores").unlink()
    (data_dir / "stores.json").unlink()
    (data_dir / "stores.json").mkdir()
    one_error(cli("search", data=data_dir), "stores.json", "Is a directory")


# -- stores.json and state.json --------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "[]",
    "{}",
    '{"schema": 1, "stores": [1]}',
    '{"schema": 1, "stores": [{"id": "a", "mirrors": 5, "root_sha256": "x", "added": 1}]}',
    '{"schema": 1, "stores": [{"id": ["a"], "mirrors": ["file:///x"], "root_sha256": "'
    + "0" * 64 + '", "added": ""}]}',
    "not json",
])
def test_damaged_stores_json(data_dir: Path, text: str) -> None:
    (data_dir / "stores.json").write_text(text)
    for args in (("search",), ("store", "list")):
        one_error(cli(*args, data=data_dir), str(data_dir / "stores.json"), "is damaged",
                  "move it away")


@pytest.mark.parametrize("text", ["[1, 2]", '{"last_success": 5, "last_error": ["x"]}', "{"])
def test_damaged_state_json_is_no_state(with_store: Path, text: str) -> None:
    (with_store / "stores" / "teststore" / "state.json").write_text(text)
    rows = json.loads(ok(cli("store", "list", "--json", data=with_store)).stdout)
    assert rows[0]["id"] == "teststore"
    assert len(json.loads(ok(cli("search", "--json", data=with_store)).stdout)) == 2
    assert "up to date" in ok(cli("store", "refresh", data=with_store)).stdout


def test_refresh_when_state_cannot_be_saved(with_store: Path, published: Published) -> None:
    state = with_store / "stores" / "teststore" / "state.json"
    state.unlink()
    state.mkdir()
    one_error(cli("store", "refresh", data=with_store), "teststore: ", "could not be saved")
    # and when the refresh fails as well (its error path saves the state again)
    cfg = json.loads((with_store / "stores.json").read_text())
    cfg["stores"][0]["mirrors"] = [(published.out.parent / "gone").as_uri()]
    (with_store / "stores.json").write_text(json.dumps(cfg))
    one_error(cli("store", "refresh", data=with_store), "teststore: ", "no verified catalogue yet")


@pytest.mark.parametrize("damage", [b"\x00garbage", "bad signature"])
def test_damaged_trusted_root_is_rebuilt_from_the_pin(with_store: Path, damage: bytes | str) -> None:
    root = with_store / "stores" / "teststore" / "metadata" / "root.json"
    if isinstance(damage, bytes):
        root.write_bytes(damage)
    else:
        md = json.loads(root.read_bytes())
        md["signed"]["version"] = 1
        md["signatures"][0]["sig"] = "00" * 64
        root.write_text(json.dumps(md))
    assert "up to date" in ok(cli("store", "refresh", data=with_store)).stdout
    assert "up to date" in ok(cli("store", "refresh", data=with_store)).stdout


def test_damaged_demo_key_does_not_stop_search(published: Published, tmp_path: Path) -> None:
    data = tmp_path / "d"
    ok(cli("store", "add", published.out.as_uri(), "--root-sha256", published.result.root_sha256,
           data=data))  # the first start also set up the demo store
    for pem in (data / "demo-store" / "keys").glob("*.pem"):
        pem.write_bytes(b"garbage")
    (data / "demo-store" / "source.sha256").write_text("changed")  # forces a re-publish
    proc = ok(cli("search", "--json", data=data))
    assert {h["store"] for h in json.loads(proc.stdout)} == {"demo", "teststore"}
    [line] = proc.stderr.splitlines()
    assert line.startswith("warning: the demo store could not be updated"), line
    assert "demo store could not be freshened" in (data / "logs" / "imapp.log").read_text()


# -- store add / remove / refresh arguments ----------------------------------------------------------
def test_add_with_an_invalid_url(data_dir: Path) -> None:
    one_error(cli("store", "add", "http://[zz]/", data=data_dir), "is not a store URL")


def test_add_with_credentials_in_the_url(data_dir: Path) -> None:
    line = one_error(cli("store", "add", "https://me:hunter2@example.org/", data=data_dir),
                     "remove the user name and password")
    assert "hunter2" not in line


def test_add_with_a_bad_fingerprint_says_so_before_downloading(data_dir: Path) -> None:
    # port 9 refuses connections: a download would have said "cannot reach"
    one_error(cli("store", "add", "http://127.0.0.1:9/", "--root-sha256", "12ab", data=data_dir),
              "'12ab' is not a root fingerprint", "64 hexadecimal digits")


def test_long_arguments_are_not_repeated_whole(data_dir: Path) -> None:
    long_url = "http://127.0.0.1/" + "a" * 120_000
    assert len(one_error(cli("store", "add", long_url, data=data_dir), "…")) < 300
    long_id = "x" * 120_000
    assert len(one_error(cli("store", "remove", long_id, data=data_dir), "no store named")) < 300
    assert len(one_error(cli("store", "refresh", long_id, data=data_dir), "no store named")) < 300


def test_refresh_error_names_the_store_once(with_store: Path, published: Published) -> None:
    from datetime import UTC, datetime, timedelta

    from appstore.core.publish.builder import publish
    from appstore.core.publish.source import load_source

    publish(load_source(published.src), published.out, published.keys,
            now=datetime.now(UTC) - timedelta(days=10))
    line = one_error(cli("store", "refresh", data=with_store), "expired",
                     "using the catalogue verified")
    assert line.count("teststore") == 1 and "stays in use" not in line


# -- keys and serve -------------------------------------------------------------------------------
def test_keys_init_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    one_error(cli("keys", "init", str(tmp_path / "file" / "sub")), "cannot create keys")


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_serve_on_an_impossible_port_is_a_usage_error(tmp_path: Path, port: str) -> None:
    proc = cli("serve", str(tmp_path), "--port", port)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "usage:" in proc.stderr and "is not a port (use 1-65535)" in proc.stderr


def test_serve_on_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        one_error(cli("serve", str(tmp_path), "--port", str(s.getsockname()[1])),
                  "cannot serve on 127.0.0.1:", "choose another --port")


def test_publish_into_a_folder_under_a_file(published: Published, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    ok(cli("keys", "init", str(tmp_path / "k")))
    one_error(cli("publish", str(published.src), str(tmp_path / "file" / "out"), "--keys",
                  str(tmp_path / "k")), "cannot use ", "file/out", "Not a directory")
