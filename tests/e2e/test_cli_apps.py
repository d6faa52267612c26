"""install, update, uninstall, installed and updates as a real process on the demo store, with
their --json contracts (docs/cli.md); then the Library and Downloads pages rendered."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.e2e.test_cli import ROOT, cli


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("apps") / "data"


def test_install_update_uninstall_round_trip(data: Path, tmp_path: Path) -> None:
    out = cli("install", "org.imapp.notes", "--version", "1.0.0", data=data)
    assert out.stdout.startswith("installed demo/org.imapp.notes 1.0.0")
    # No progress bar when stderr is not a terminal: only what the install earned (or, with no
    # keyring and no passphrase for a new wallet, why it could not be claimed yet).
    for line in out.stderr.splitlines():
        assert line == "+5 IA — downloaded Quick Notes" or line.startswith(
            "warning: rewards not claimed"), line
    cli("install", "org.imapp.charity", data=data)

    rows = json.loads(cli("installed", "--json", data=data).stdout)
    assert [r["id"] for r in rows] == ["demo/org.imapp.charity", "demo/org.imapp.notes"]
    assert set(rows[0]) == {"id", "app_id", "store", "version", "size", "installed_at"}
    assert rows[1]["version"] == "1.0.0" and rows[1]["size"] > 0

    ups = json.loads(cli("updates", "--json", data=data).stdout)
    assert ups == [{"id": "demo/org.imapp.notes", "app_id": "org.imapp.notes", "store": "demo",
                    "installed": "1.0.0", "available": "1.1.0", "asks_for": []}]
    assert "updated demo/org.imapp.notes 1.0.0 → 1.1.0" in cli("update", "--all", data=data).stdout
    assert json.loads(cli("updates", "--json", data=data).stdout) == []

    # the pages that show them, rendered by the app itself
    for page in ("library", "downloads"):
        png = tmp_path / f"{page}.png"
        proc = subprocess.run([sys.executable, "main.py", "--data-dir", str(data), "--screenshot",
                               str(png), "--page", page], cwd=ROOT, capture_output=True, text=True,
                              timeout=180)
        assert proc.returncode == 0, proc.stderr
        image = QImage(str(png))
        assert (image.width(), image.height()) == (1280, 860)

    # the DApp itself, in the host, as it draws itself (its crimson header, below the chrome)
    png = tmp_path / "dapp.png"
    proc = subprocess.run([sys.executable, "main.py", "--data-dir", str(data), "--screenshot", str(png),
                           "--page", "dapp:org.imapp.charity"], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    header = QImage(str(png)).pixelColor(640, 75)
    assert header.red() > 150 and header.green() < 90 and header.blue() < 120, header.name()

    assert "uninstalled demo/org.imapp.charity" in cli("uninstall", "org.imapp.charity", "--keep-data",
                                                         data=data).stdout
    rows = json.loads(cli("installed", "--json", data=data).stdout)
    assert [r["id"] for r in rows] == ["demo/org.imapp.notes"]


def test_a_dapp_screenshot_of_an_app_not_installed_says_so(data: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "main.py", "--data-dir", str(data), "--screenshot",
                           str(tmp_path / "x.png"), "--page", "dapp:org.imapp.memory"], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1 and "org.imapp.memory is not installed" in proc.stderr


@pytest.mark.parametrize("args, words", [
    (("install", "org.nope"), "no app 'org.nope'"),
    (("install", "org.imapp.bcdmarket"), "link DApp"),
    (("install", "org.imapp.notes", "--version", "9.9"), "has no version '9.9'"),
    (("uninstall", "org.imapp.memory"), "is not installed"),
    (("update",), "--all"),
    (("open", "org.imapp.memory"), "is not installed"),
])
def test_mistakes_are_one_clear_line(data: Path, args: tuple[str, ...], words: str) -> None:
    proc = cli(*args, data=data, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert words in proc.stderr
