"""packaging/: the desktop entry and the AppStream metainfo pass their validators, and what the
metainfo names (screenshots, release) is there."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

import appstore
from appstore.core.desktop import APP_ICON, ENTRY, ICON_SIZES, METAINFO, icon_png

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.geteuid() == 0:  # scripts/setup.sh installs it as root: it must be there
            pytest.fail(f"{name} is missing: run scripts/setup.sh (as root it installs it)")
        pytest.skip(f"{name} is not installed (scripts/setup.sh installs it when run as root)")
    return found


def test_packaging_links_to_the_packaged_files() -> None:
    assert (ROOT / "packaging" / ENTRY.name).resolve() == ENTRY.resolve()
    assert (ROOT / "packaging" / METAINFO.name).resolve() == METAINFO.resolve()


def test_the_desktop_entry_is_valid() -> None:
    proc = subprocess.run([_tool("desktop-file-validate"), str(ENTRY)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_the_metainfo_is_valid() -> None:
    # (warnings and errors fail it; infos, which differ between appstream releases, do not)
    proc = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation was successful" in proc.stdout, proc.stdout


def test_the_metainfo_names_what_is_there() -> None:
    root = ET.parse(METAINFO).getroot()
    images = root.findall("./screenshots/screenshot/image")
    assert len(images) >= 3
    for image in images:
        name = (image.text or "").rsplit("/", 1)[-1]
        shot = QImage(str(SHOTS / name))
        assert not shot.isNull(), f"{name} is not in docs/screenshots (make screenshots)"
        assert (shot.width(), shot.height()) == (int(image.get("width", 0)), int(image.get("height", 0)))
    releases = root.findall("./releases/release")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert releases[0].get("version") == version == appstore.__version__
    assert root.find("./releases/release/description") is not None
    assert len(root.findall("./content_rating/content_attribute")) >= 1


def test_the_icons_are_the_sizes_they_say() -> None:
    assert APP_ICON.read_text().lstrip().startswith("<?xml")
    for size in ICON_SIZES:
        image = QImage(str(icon_png(size)))
        assert (image.width(), image.height()) == (size, size), "run scripts/render_icons.py"
        assert image.hasAlphaChannel() and image.pixelColor(size // 2, size // 2).alpha() == 255
