"""The CLI as a real process: publish, serve, add with a pinned root, search, show, errors."""

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.storekit import make_source

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, data: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "appstore"]
    if data is not None:
        cmd += ["--data-dir", str(data)]
    proc = subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "IMAPP_DATA_DIR": ""})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cli_store(tmp_path: Path) -> Iterator[tuple[str, str]]:
    src = make_source(tmp_path / "src")
    cli("keys", "init", str(tmp_path / "keys"))
    out = cli("publish", str(src), str(tmp_path / "out"), "--keys", str(tmp_path / "keys")).stdout
    m = re.search(r"^root-sha256: ([0-9a-f]{64})$", out, re.M)
    assert m, out
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "appstore", "serve", str(tmp_path / "out"),
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert "serving" in server.stdout.readline()
        yield f"http://127.0.0.1:{port}", m.group(1)
    finally:
        server.terminate()
        server.wait(10)


def test_publish_is_idempotent(tmp_path: Path) -> None:
    src = make_source(tmp_path / "src")
    cli("keys", "init", str(tmp_path / "k"))
    first = cli("publish", str(src), str(tmp_path / "o"), "--keys", str(tmp_path / "k")).stdout
    second = cli("publish", str(src), str(tmp_path / "o"), "--keys", str(tmp_path / "k")).stdout
    assert "unchanged" in second and "targets=1" in second
    fp = [line for line in first.splitlines() if line.startswith("root-sha256:")]
    assert fp and fp == [line for line in second.splitlines() if line.startswith("root-sha256:")]


def test_publish_refuses_bad_source_naming_the_file(tmp_path: Path) -> None:
    src = make_source(tmp_path / "src")
    (src / "apps/org.test.alpha/releases/1.0.0/dapp.json").write_text("[]")
    cli("keys", "init", str(tmp_path / "k"))
    proc = cli("publish", str(src), str(tmp_path / "o"), "--keys", str(tmp_path / "k"), check=False)
    assert proc.returncode == 1
    assert "org.test.alpha/releases/1.0.0/dapp.json" in proc.stderr
    assert not (tmp_path / "o" / "metadata" / "timestamp.json").exists()


def test_store_add_search_show(cli_store: tuple[str, str], tmp_path: Path) -> None:
    url, fp = cli_store
    data = tmp_path / "data"
    data.mkdir()
    (data / "stores.json").write_text('{"schema": 1, "stores": []}')
    bad = cli("store", "add", url, "--root-sha256", "0" * 64, data=data, check=False)
    assert bad.returncode == 1 and "root fingerprint" in bad.stderr and bad.stdout == ""
    assert "added store teststore" in cli("store", "add", url, "--root-sha256", fp, data=data).stdout
    listing = json.loads(cli("store", "list", "--json", data=data).stdout)
    assert listing[0]["id"] == "teststore" and listing[0]["root_sha256"] == fp
    assert "up to date" in cli("store", "refresh", data=data).stdout

    hits = json.loads(cli("search", "beta", "--json", data=data).stdout)
    assert [h["id"] for h in hits] == ["org.test.beta"]
    for key in ("id", "name", "summary", "categories", "kind", "version", "store"):
        assert key in hits[0]
    assert hits[0]["store"] == "teststore" and hits[0]["version"] == "1.0.0"
    zh = json.loads(cli("--lang", "zh_CN", "search", "--json", data=data).stdout)
    assert {h["name"] for h in zh} == {"应用alpha", "应用beta"}
    assert json.loads(cli("search", "--category", "games", "--json", data=data).stdout) == []

    shown = json.loads(cli("show", "org.test.alpha", "--json", data=data).stdout)
    [rel] = shown["releases"]
    assert set(rel) >= {"version", "size", "sha256", "date"} and rel["size"] > 0
    assert shown["developer"] == "Test Dev" and shown["license"] == "MIT"
    assert "Test Dev" in cli("show", "org.test.alpha", data=data).stdout

    missing = cli("show", "org.nope", data=data, check=False)
    assert missing.returncode == 1 and "no app 'org.nope'" in missing.stderr
    assert "removed" in cli("store", "remove", "teststore", data=data).stdout


def test_offline_store_keeps_catalogue(cli_store: tuple[str, str], tmp_path: Path) -> None:
    url, fp = cli_store
    data = tmp_path / "data"
    data.mkdir()
    (data / "stores.json").write_text('{"schema": 1, "stores": []}')
    cli("store", "add", url, "--root-sha256", fp, data=data)
    cfg = json.loads((data / "stores.json").read_text())
    cfg["stores"][0]["mirrors"] = ["http://127.0.0.1:9"]
    (data / "stores.json").write_text(json.dumps(cfg))
    proc = cli("store", "refresh", data=data, check=False)
    assert proc.returncode == 1
    assert "cannot reach" in proc.stderr and "using the catalogue verified" in proc.stderr
    assert len(json.loads(cli("search", "--json", data=data).stdout)) == 2


def test_default_demo_store(tmp_path: Path) -> None:
    hits = json.loads(cli("search", "--json", data=tmp_path / "fresh").stdout)
    assert len(hits) >= 14 and {h["store"] for h in hits} == {"demo"}
    stores = json.loads(cli("store", "list", "--json", data=tmp_path / "fresh").stdout)
    assert [s["id"] for s in stores] == ["demo"]


def test_usage_error_exit_code() -> None:
    proc = cli("frobnicate", check=False)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
