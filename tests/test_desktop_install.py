"""`make install-desktop` / `make uninstall-desktop` for a user whose HOME and XDG folders are
temp folders: the launcher, the menu entry, the icons and the imapp:// handler come and go."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from appstore.core import desktop
from appstore.core.desktop import ICON_SIZES, Places

ROOT = Path(__file__).resolve().parents[1]
XDG_MIME = shutil.which("xdg-mime")
VALIDATE = shutil.which("desktop-file-validate")
# scripts/setup.sh installs xdg-utils and desktop-file-utils when it runs as root
MISSING_TOOLS = "xdg-utils / desktop-file-utils are not installed (scripts/setup.sh installs them as root)"
need_tools = pytest.mark.skipif((not XDG_MIME or not VALIDATE) and os.geteuid() != 0, reason=MISSING_TOOLS)


def _user(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    return {**env, "HOME": str(home), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def _make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # -o setup: the checkout is set up already (make test did it); the target itself runs
    return subprocess.run(["make", "-s", "-o", "setup", target], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@need_tools
def test_install_then_uninstall(tmp_path: Path) -> None:
    env = _user(tmp_path)
    places = Places.of_user(env)
    assert places.entry == tmp_path / "data" / "applications" / "org.imapp.desktop.desktop"
    proc = _make("install-desktop", env)
    assert proc.returncode == 0, proc.stderr
    # the menu entry, valid, starting the launcher
    assert VALIDATE is not None and XDG_MIME is not None, MISSING_TOOLS
    check = subprocess.run([VALIDATE, str(places.entry)], capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout == "", check.stdout + check.stderr
    entry = places.entry.read_text("utf-8")
    assert f"Exec={places.launcher} %u" in entry and "MimeType=x-scheme-handler/imapp;" in entry
    launcher = places.launcher
    assert os.access(launcher, os.X_OK)
    started = subprocess.run([str(launcher), "--help"], capture_output=True, text=True, env=env, timeout=60,
                             cwd=tmp_path)
    assert started.returncode == 0 and "--screenshot" in started.stdout, started.stderr
    # icons: every hicolor size, as big as its folder says, and the SVG
    for size in ICON_SIZES:
        image = QImage(str(places.icon(size)))
        assert (image.width(), image.height()) == (size, size)
    assert places.icon(None).read_bytes() == desktop.APP_ICON.read_bytes()
    # imapp:// links open imapp
    query = subprocess.run([XDG_MIME, "query", "default", "x-scheme-handler/imapp"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert query.stdout.strip() == "org.imapp.desktop.desktop", query.stderr

    proc = _make("uninstall-desktop", env)
    assert proc.returncode == 0, proc.stderr
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["config/mimeapps.list", "data/applications/mimeinfo.cache"]
    assert "imapp" not in (tmp_path / "config" / "mimeapps.list").read_text()
    assert "imapp" not in (tmp_path / "data" / "applications" / "mimeinfo.cache").read_text()
    query = subprocess.run([XDG_MIME, "query", "default", "x-scheme-handler/imapp"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert query.stdout.strip() == ""


def test_a_launcher_imapp_did_not_write_is_left_alone(tmp_path: Path) -> None:
    env = _user(tmp_path)
    places = Places.of_user(env)
    places.bin_dir.mkdir(parents=True)
    places.launcher.write_text("#!/bin/sh\necho mine\n")
    proc = _make("install-desktop", env)
    assert proc.returncode != 0  # (make's own code: 2)
    assert "imapp-desktop exists and imapp did not write it: move it away" in proc.stderr
    assert not places.entry.exists()
    proc = _make("uninstall-desktop", env)
    assert proc.returncode == 0 and "was not written by imapp: left as it is" in proc.stderr
    assert places.launcher.read_text() == "#!/bin/sh\necho mine\n"


def test_other_link_handlers_are_kept(tmp_path: Path) -> None:
    """The fallback that writes mimeapps.list itself (no xdg-mime), and uninstall's edit of it."""
    places = Places.of_user(_user(tmp_path))
    places.mimeapps.parent.mkdir(parents=True)
    places.mimeapps.write_text("[Added Associations]\ntext/html=firefox.desktop;\n\n"
                               "[Default Applications]\nx-scheme-handler/imapp=other.desktop;\n"
                               "x-scheme-handler/https=firefox.desktop;\n")
    assert desktop._edit_mimeapps(places.mimeapps, add=True)
    text = places.mimeapps.read_text()
    assert "x-scheme-handler/imapp=org.imapp.desktop.desktop;other.desktop;" in text
    assert "text/html=firefox.desktop;" in text and "x-scheme-handler/https=firefox.desktop;" in text
    assert desktop._edit_mimeapps(places.mimeapps, add=False)
    text = places.mimeapps.read_text()
    assert "org.imapp" not in text and "x-scheme-handler/imapp=other.desktop;" in text
    assert not desktop._edit_mimeapps(places.mimeapps, add=False)  # nothing of ours left: untouched
    fresh = tmp_path / "fresh" / "mimeapps.list"
    assert desktop._edit_mimeapps(fresh, add=True)
    assert fresh.read_text() == "[Default Applications]\nx-scheme-handler/imapp=org.imapp.desktop.desktop;\n"


@need_tools
@pytest.mark.parametrize("program", ["/opt/imapp/imapp-desktop", "/home/a b/.local/bin/imapp-desktop",
                                     '/tmp/odd "quoted" $dir\\x/100%/imapp-desktop'])
def test_exec_lines_stay_valid_for_any_path(tmp_path: Path, program: str) -> None:
    assert VALIDATE is not None, MISSING_TOOLS
    entry = tmp_path / "org.imapp.desktop.desktop"
    entry.write_text(desktop.entry_text(program), "utf-8")
    check = subprocess.run([VALIDATE, str(entry)], capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout == "", check.stdout
    assert _exec_program(desktop.entry_text(program)) == program


def _exec_program(entry: str) -> str:
    """The program of an Exec= line, read back as the desktop entry spec says a launcher reads it."""
    value = next(line[5:] for line in entry.splitlines() if line.startswith("Exec="))
    value = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), value)
    if not value.startswith('"'):
        return value.split(" ")[0].replace("%%", "%")
    program, i = "", 1
    while value[i] != '"':
        if value[i] == "\\":
            i += 1
        program += value[i]
        i += 1
    return program.replace("%%", "%")


def test_home_is_needed(tmp_path: Path) -> None:
    from appstore.core.errors import ConfigError

    with pytest.raises(ConfigError, match="HOME is not set to a folder"):
        Places.of_user({"HOME": ""})
    relative = Places.of_user({"HOME": str(tmp_path), "XDG_DATA_HOME": "relative/dir"})
    assert relative.data_home == tmp_path / ".local" / "share"  # the spec: a relative value is ignored
