"""The one-folder bundle (`make package`, dist/imapp/) on a machine without the .venv, without
Python and without fonts: its CLI finds the demo store, its window renders a page in Chinese,
and an installed DApp opens in QtWebEngine from the bundle.

Runs only when dist/imapp/ holds a bundle (.ci/run builds one before the tests). As root, each
start runs in a private mount namespace where the .venv, the checkout's package, the Python
installation and the system's fonts are hidden by empty folders mounted over them; elsewhere
the bundle runs with a bare environment and the hiding is skipped (said in the skip reason).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "imapp"
pytestmark = pytest.mark.skipif(not (BUNDLE / "imapp-desktop").is_file(),
                                reason="no bundle in dist/imapp (`make package` builds it; CI does)")
HIDDEN = [ROOT / ".venv", ROOT / "appstore", Path(sys.base_prefix), Path("/usr/share/fonts"),
          Path("/usr/local/share/fonts"), Path("/etc/fonts"), Path("/var/cache/fontconfig")]


def _can_hide() -> bool:
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run([unshare, "--mount", "true"], capture_output=True).returncode == 0


class Machine:
    """A stranger's machine: a bare environment, a fresh HOME, and (as root) nothing of ours."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.home = base / "home"
        self.home.mkdir()
        self.data = base / "data"
        self.empty = base / "empty"
        self.empty.mkdir()
        self.isolated = _can_hide()
        self.env = {"PATH": "/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8",
                    "QT_QPA_PLATFORM": "offscreen",
                    "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu --log-level=3",
                    # a wallet of its own, in a passphrase file in the data dir
                    "IMAPP_WALLET_PASSPHRASE": "a throwaway wallet",
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def run(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        command = [str(BUNDLE / argv[0]), *argv[1:]]
        if self.isolated:
            mounts = " && ".join(f"mount --bind {self.empty} '{d}'" for d in HIDDEN if d.is_dir())
            command = ["unshare", "--mount", "--", "sh", "-c", f'{mounts} && exec "$@"', "sh", *command]
        return subprocess.run(command, cwd=self.home, env={**self.env, **(env or {})}, capture_output=True,
                              text=True, timeout=240)


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Machine:
    return Machine(tmp_path_factory.mktemp("bundle"))


def _colours(path: Path) -> int:
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 860)
    return len({image.pixel(x, y) for x in range(0, 1280, 2) for y in range(0, 860, 2)})


def test_nothing_of_ours_is_in_sight(machine: Machine) -> None:
    if not machine.isolated:
        pytest.skip("cannot hide the .venv, Python and the fonts here (needs root for a mount namespace)")
    probe = machine.run("imapp-desktop", "-c", "import os, sys; print(os.listdir(sys.argv[1]))",
                        str(ROOT / ".venv"))
    assert probe.returncode == 0 and probe.stdout.strip() == "[]", probe.stderr


def test_the_cli_finds_the_demo_store(machine: Machine) -> None:
    found = machine.run("imapp", "--data-dir", str(machine.data), "search", "--json")
    assert found.returncode == 0, found.stderr
    assert {a["store"] for a in json.loads(found.stdout)} == {"demo"}
    installed = machine.run("imapp", "--data-dir", str(machine.data), "install", "org.imapp.notes")
    assert installed.returncode == 0, installed.stderr
    assert "installed demo/org.imapp.notes" in installed.stdout
    # the demo store's IA service, inside the program (its migrations are files it reads)
    assert "+5 IA" in installed.stdout + installed.stderr, installed.stderr
    rewards = machine.run("imapp", "--data-dir", str(machine.data), "rewards", "--json")
    assert rewards.returncode == 0, rewards.stderr
    assert [(r["store"], r["reachable"]) for r in json.loads(rewards.stdout)] == [("demo", True)]


def test_the_core_messages_are_in_chinese_in_the_bundle(machine: Machine) -> None:
    """messages_zh_CN.json travels in the bundle (the .ts and .json sources of the .qm files do
    not): an error from the core reaches the Chinese GUI in Chinese."""
    said = machine.run("imapp-desktop", "-c", "from appstore.core.messages import translate; "
                       "print(translate('the wallet file is locked', 'zh_CN'))")
    assert said.returncode == 0 and said.stdout.strip() == "钱包文件已锁定", said.stderr


def test_the_window_renders_with_the_bundled_fonts(machine: Machine) -> None:
    page = machine.base / "discover.png"
    proc = machine.run("imapp-desktop", "--data-dir", str(machine.data), "--lang", "zh_CN",
                       "--screenshot", str(page), "--page", "discover")
    assert proc.returncode == 0, proc.stderr
    if not machine.isolated:
        assert _colours(page) > 500
        return
    fonts = subprocess.run(["unshare", "--mount", "--", "sh", "-c",
                            f"mount --bind {machine.empty} /usr/share/fonts && exec fc-list :lang=zh family"],
                           env={**machine.env, "FONTCONFIG_FILE": str(BUNDLE / "_internal/fonts/fonts.conf")},
                           capture_output=True, text=True, timeout=60)
    assert "WenQuanYi Micro Hei" in fonts.stdout, fonts.stderr
    # The same page with no fonts at all draws boxes for every glyph: far fewer colours than
    # anti-aliased text.
    boxes = machine.base / "boxes.png"
    proc = machine.run("imapp-desktop", "--data-dir", str(machine.data), "--lang", "zh_CN", "--screenshot",
                       str(boxes), "--page", "discover", env={"FONTCONFIG_FILE": "/nonexistent"})
    assert proc.returncode == 0, proc.stderr
    assert _colours(page) > 1.5 * _colours(boxes)


def test_a_dapp_opens_in_the_bundled_webengine(machine: Machine) -> None:
    installed = machine.run("imapp", "--data-dir", str(machine.data), "install", "org.imapp.notes")
    assert installed.returncode == 0, installed.stderr  # (or already installed, by the test above)
    shot = machine.base / "notes.png"
    proc = machine.run("imapp-desktop", "--data-dir", str(machine.data), "--screenshot", str(shot),
                       "--page", "dapp:org.imapp.notes")
    assert proc.returncode == 0, proc.stderr
    assert _colours(shot) > 100
