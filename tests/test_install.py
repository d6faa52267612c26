"""A stranger's install: the wheel built from this tree, installed in a throwaway venv in a temp
folder, runs `imapp` and `imapp-desktop` on the demo store from a folder outside the checkout.

The venv sees the dependencies already installed in this checkout's .venv through a plain path
line in a .pth file (so nothing is downloaded again); a path line does not process the .pth
files in that folder, so the checkout's own ``imapp-checkout.pth`` stays out, and the test
checks that it did.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = {".git", ".venv", "dist", "build", "bench", "tests", "docs"}  # (top level only)


def _copy_tree(dst: Path) -> None:
    """The working tree as a source release has it: no venv, no builds, no compiled files."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {n for n in names if (top and n in LEFT_OUT) or n.endswith((".pyc", ".qm", ".egg-info"))
                or n in ("__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis")}

    shutil.copytree(ROOT, dst, ignore=ignore, symlinks=True)


def _run(argv: list[str], cwd: Path, env: dict[str, str],
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


class Installed:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.venv = base / "venv"
        self.bin = self.venv / "bin"
        self.elsewhere = base / "elsewhere"
        self.data = base / "data"
        self.wheel = next((base / "wheels").glob("appstore-*.whl"))
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "IMAPP_DATA_DIR")}
        self.env["PATH"] = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"
        # a wallet of its own, in a passphrase file in the data dir: no keyring is touched
        self.env.update(IMAPP_WALLET_PASSPHRASE="a throwaway wallet",
                        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")

    def run(self, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return _run([str(self.bin / argv[0]), *argv[1:]], self.elsewhere, self.env, timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("stranger")
    src = base / "src"
    _copy_tree(src)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "-q", "-w", str(base / "wheels"), str(src)], base, env)
    assert built.returncode == 0, built.stderr
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     base, env).stdout.strip())
    ours = sysconfig.get_paths()["purelib"]  # this .venv's dependencies, without its .pth files
    (site / "checkout-deps.pth").write_text(ours + "\n")
    wheel = next((base / "wheels").glob("appstore-*.whl"))
    done = _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
                 "-q", str(wheel)], base, env)
    assert done.returncode == 0, done.stderr
    (base / "elsewhere").mkdir()
    return Installed(base)


def test_the_wheel_carries_what_the_app_reads(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for lang in ("en", "zh_CN"):
        assert f"appstore/resources/translations/imapp_{lang}.qm" in names  # compiled by the build
    assert "appstore/resources/translations/messages_zh_CN.json" in names  # the core's messages
    assert not any(n.startswith(("appstore/cli_", "appstore/core/store/demo")) for n in names)  # moved
    assert "appstore/resources/demo-store/store.json" in names
    assert "appstore/resources/demo-store/apps/org.imapp.charity/app.json" in names
    assert "appstore/resources/desktop/org.imapp.desktop.desktop" in names
    assert "appstore/resources/desktop/icons/512.png" in names
    assert not any("__pycache__" in n or n.startswith(("tests/", "resources/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(installed.wheel).read(entry_points).decode()
    assert "imapp = appstore.cli:main" in text and "imapp-desktop = appstore.gui:main" in text


def test_the_checkout_is_not_what_runs(installed: Installed) -> None:
    probe = ("import appstore, importlib.util, json, sys; print(json.dumps([appstore.__file__, sys.path, "
             "importlib.util.find_spec('main') is not None]))")
    proc = installed.run("python", "-c", probe)
    assert proc.returncode == 0, proc.stderr
    where, path, has_main = json.loads(proc.stdout)
    assert Path(where).is_relative_to(installed.venv)
    assert not any(Path(p).resolve() == ROOT for p in path if p)
    assert not has_main  # main.py, beside the checkout's package, is out of sight


def test_the_cli_runs_on_the_demo_store(installed: Installed) -> None:
    help_ = installed.run("imapp", "--help")
    assert help_.returncode == 0 and "usage: imapp" in help_.stdout and "desktop" in help_.stdout
    found = installed.run("imapp", "--data-dir", str(installed.data), "search", "--json")
    assert found.returncode == 0, found.stderr
    apps = json.loads(found.stdout)
    assert len(apps) > 10 and {a["store"] for a in apps} == {"demo"}
    charity = installed.run("imapp", "--data-dir", str(installed.data), "search", "charity")
    assert charity.returncode == 0 and "org.imapp.charity" in charity.stdout, charity.stderr
    # the demo store's IA service, inside the process (its schema migrations are files it reads)
    rewards = installed.run("imapp", "--data-dir", str(installed.data), "rewards", "--json")
    assert rewards.returncode == 0, rewards.stderr
    assert [(r["store"], r["reachable"]) for r in json.loads(rewards.stdout)] == [("demo", True)]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_window_renders_a_page(installed: Installed, lang: str) -> None:
    out = installed.elsewhere / f"discover-{lang}.png"
    proc = installed.run("imapp-desktop", "--data-dir", str(installed.data), "--lang", lang,
                         "--screenshot", str(out), "--page", "discover")
    assert proc.returncode == 0, proc.stderr
    assert "no compiled translation" not in proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 860)
    assert len({image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 860, 16)}) > 12
