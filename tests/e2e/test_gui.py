"""main.py as a real process: every page rendered offscreen in both languages, and the
message a user gets without a display."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gui_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gui") / "data"


def run_main(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, env=env or {**os.environ, "IMAPP_DATA_DIR": ""})


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("page", ["discover", "settings", "app:org.imapp.charity", "app:org.imapp.notes"])
def test_screenshot_of_every_page(gui_data: Path, tmp_path: Path, page: str, lang: str) -> None:
    out = tmp_path / "page.png"
    proc = run_main("--data-dir", str(gui_data), "--lang", lang, "--screenshot", str(out), "--page", page)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 860)
    # not a blank page: many distinct colours
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 860, 16)}
    assert len(colours) > 12
    shutil.copy(out, tmp_path / f"{page.replace(':', '_')}-{lang}.png")


def test_screenshot_of_unknown_app_fails(gui_data: Path, tmp_path: Path) -> None:
    proc = run_main("--data-dir", str(gui_data), "--screenshot", str(tmp_path / "x.png"),
                    "--page", "app:org.nope")
    assert proc.returncode == 1 and "no app 'org.nope'" in proc.stderr


def test_without_a_display_says_how_to_run_headless(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = run_main("--data-dir", str(tmp_path / "d"), env=env)
    assert proc.returncode == 2
    assert "QT_QPA_PLATFORM=offscreen" in proc.stderr and "--screenshot" in proc.stderr
    assert "Traceback" not in proc.stderr
