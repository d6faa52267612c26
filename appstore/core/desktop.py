"""imapp in the desktop's menu for the current user, and out of it again: the launcher, the
desktop entry, the icons and the ``imapp://`` link handler (freedesktop.org's desktop entry,
icon theme and MIME applications specifications). ``imapp desktop install`` / ``uninstall``,
and ``make install-desktop`` / ``uninstall-desktop`` from a checkout.

What is written, under ``$XDG_DATA_HOME`` (default ``~/.local/share``):
``applications/org.imapp.desktop.desktop`` and ``icons/hicolor/SIZE/apps/org.imapp.desktop.*``;
the link handler goes in ``$XDG_CONFIG_HOME/mimeapps.list`` (through ``xdg-mime`` where it is
installed); from a checkout, a launcher ``~/.local/bin/imapp-desktop`` that runs its main.py.
Uninstalling removes exactly these, and a launcher only if imapp wrote it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from appstore.core.errors import ConfigError, short_path
from appstore.core.fileio import write_bytes_atomic
from appstore.core.resources import RESOURCES

APP_ID = "org.imapp.desktop"
DESKTOP_FILE = f"{APP_ID}.desktop"
DESKTOP_DIR = RESOURCES / "desktop"
APP_ICON = DESKTOP_DIR / f"{APP_ID}.svg"
ENTRY = DESKTOP_DIR / DESKTOP_FILE
METAINFO = DESKTOP_DIR / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
SCHEME = "x-scheme-handler/imapp"
MARKER = "# imapp launcher, written by `imapp desktop install` (uninstall removes it)"


def icon_png(size: int) -> Path:
    return DESKTOP_DIR / "icons" / f"{size}.png"


@dataclass(frozen=True)
class Places:
    """Where a user's desktop files live (the XDG base directories)."""

    data_home: Path
    config_home: Path
    bin_dir: Path

    @classmethod
    def of_user(cls, env: Mapping[str, str] | None = None) -> Places:
        env = os.environ if env is None else env
        home = env.get("HOME", "")
        if not home or not os.path.isabs(home):
            raise ConfigError("HOME is not set to a folder: imapp cannot tell where your desktop "
                              "files go; set HOME to your home folder")

        def base(var: str, default: str) -> Path:
            value = env.get(var, "")  # the spec: an unset, empty or relative value is ignored
            return Path(value) if os.path.isabs(value) else Path(home) / default

        return cls(base("XDG_DATA_HOME", ".local/share"), base("XDG_CONFIG_HOME", ".config"),
                   Path(home) / ".local" / "bin")

    @property
    def entry(self) -> Path:
        return self.data_home / "applications" / DESKTOP_FILE

    def icon(self, size: int | None) -> Path:
        """The PNG of ``size`` pixels, or the SVG for None."""
        folder = "scalable" if size is None else f"{size}x{size}"
        return self.data_home / "icons" / "hicolor" / folder / "apps" / (
            f"{APP_ID}.svg" if size is None else f"{APP_ID}.png")

    @property
    def launcher(self) -> Path:
        return self.bin_dir / "imapp-desktop"

    @property
    def mimeapps(self) -> Path:
        return self.config_home / "mimeapps.list"

    def files(self) -> list[Path]:
        return [self.entry, *(self.icon(s) for s in ICON_SIZES), self.icon(None)]


@dataclass
class Outcome:
    """What an install or uninstall did: the files written or removed, and notes for the user."""

    files: list[Path] = field(default_factory=list)
    handler: str = ""  # how the imapp:// handler was set or unset
    notes: list[str] = field(default_factory=list)


def launch_command() -> list[str]:
    """How this copy of imapp starts its window: the bundle's program, the ``imapp-desktop``
    an installed package put beside its Python, or this checkout's main.py."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / "imapp-desktop"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    main = RESOURCES.parent.parent / "main.py"
    if main.is_file():
        return [sys.executable, str(main)]
    raise ConfigError("cannot tell how this imapp starts its window (no imapp-desktop beside "
                      f"{short_path(sys.executable)} and no main.py): install the package again")


def exec_value(program: str) -> str:
    """``program`` as a desktop entry's Exec= program: quoted when it must be, then escaped as
    a string value (the spec's two levels)."""
    if re.search(r"[\s\"'\\><~|&;$*?#()`%]", program):
        program = '"' + re.sub(r'(["`$\\])', r"\\\1", program) + '"'
    return program.replace("%", "%%").replace("\\", "\\\\")


def entry_text(program: str) -> str:
    """The packaged desktop entry with Exec (and TryExec) naming ``program``."""
    lines = []
    for line in ENTRY.read_text("utf-8").splitlines():
        if line.startswith("Exec="):
            lines.append("TryExec=" + program.replace("\\", "\\\\"))
            line = f"Exec={exec_value(program)} %u"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    write_bytes_atomic(path, data, mode=mode)


def _is_ours(launcher: Path) -> bool:
    try:
        return MARKER in launcher.read_text("utf-8", errors="replace").splitlines()[:3]
    except OSError:
        return False


def _tool_env(places: Places) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(places.data_home),
            "XDG_CONFIG_HOME": str(places.config_home)}


def _refresh_caches(places: Places) -> None:
    """The desktop's caches of entries and MIME types, where its tools are installed."""
    tool = shutil.which("update-desktop-database")
    if tool and places.entry.parent.is_dir():
        subprocess.run([tool, "-q", str(places.entry.parent)], check=False, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def install(places: Places, command: list[str] | None = None) -> Outcome:
    """Install for the user ``places`` belongs to; ``command`` starts imapp's window (default:
    ``launch_command()``). ``ConfigError`` says what stopped it; files already written stay
    (running it again finishes the job, uninstall removes them)."""
    command = command or launch_command()
    missing = [p for p in (ENTRY, APP_ICON, *map(icon_png, ICON_SIZES)) if not p.is_file()]
    if missing:
        raise ConfigError(f"this imapp lacks {short_path(missing[0])}: install it again")
    out = Outcome()
    try:
        if len(command) == 1:
            program = command[0]
        else:  # a checkout: a launcher runs its main.py with its Python
            if places.launcher.exists() and not _is_ours(places.launcher):
                raise ConfigError(f"{short_path(places.launcher)} exists and imapp did not write "
                                  "it: move it away, then install again")
            script = "#!/bin/sh\n" + MARKER + "\nexec " + " ".join(map(_sh_quote, command)) + ' "$@"\n'
            _write(places.launcher, script.encode(), 0o755)
            out.files.append(places.launcher)
            program = str(places.launcher)
        _write(places.entry, entry_text(program).encode("utf-8"))
        out.files.append(places.entry)
        for size in ICON_SIZES:
            _write(places.icon(size), icon_png(size).read_bytes())
        _write(places.icon(None), APP_ICON.read_bytes())
        out.files += [places.icon(s) for s in ICON_SIZES] + [places.icon(None)]
        _refresh_caches(places)
        out.handler = _set_handler(places)
    except OSError as e:
        raise ConfigError(f"cannot write {short_path(e.filename or places.data_home)} "
                          f"({e.strerror or e}); check that folder's permissions") from None
    if len(command) > 1 and str(places.bin_dir) not in os.environ.get("PATH", "").split(os.pathsep):
        out.notes.append(f"{short_path(places.bin_dir)} is not on your PATH: the menu entry works, "
                         "but to type imapp-desktop add it to PATH")
    return out


def _sh_quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def _set_handler(places: Places) -> str:
    tool = shutil.which("xdg-mime")
    if tool:
        done = subprocess.run([tool, "default", DESKTOP_FILE, SCHEME], env=_tool_env(places),
                              capture_output=True, text=True, timeout=60, check=False)
        if done.returncode == 0:
            return "xdg-mime"
    # No xdg-utils (or it failed): the file it would have written, written as it would.
    _edit_mimeapps(places.mimeapps, add=True)
    return "mimeapps.list"


def _edit_mimeapps(path: Path, *, add: bool) -> bool:
    """Make (or unmake) imapp the default for imapp:// links in ``path``; True if it changed."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    section, out, placed, changed = "", [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if add and section == "[Default Applications]" and not placed:
                out.append(f"{SCHEME}={DESKTOP_FILE};")
                placed = changed = True
            section = stripped
        elif section in ("[Default Applications]", "[Added Associations]") and \
                stripped.partition("=")[0].strip() == SCHEME:
            ids = [i for i in stripped.partition("=")[2].split(";") if i.strip()]
            kept = [i for i in ids if i.strip() != DESKTOP_FILE]
            if add and section == "[Default Applications]":
                kept.insert(0, DESKTOP_FILE)
                placed = True
            if kept != ids:
                changed = True
            if kept:
                out.append(f"{SCHEME}={';'.join(kept)};")
            continue
        out.append(line)
    if add and not placed:
        if section != "[Default Applications]":
            out += ["", "[Default Applications]"] if out else ["[Default Applications]"]
        out.append(f"{SCHEME}={DESKTOP_FILE};")
        changed = True
    if changed:
        _write(path, ("\n".join(out) + "\n").encode("utf-8"))
    return changed


def uninstall(places: Places) -> Outcome:
    """Remove what ``install`` wrote for this user (a launcher only if imapp wrote it)."""
    out = Outcome()
    try:
        for path in places.files():
            if path.is_file() or path.is_symlink():
                path.unlink()
                out.files.append(path)
        if places.launcher.is_file() and _is_ours(places.launcher):
            places.launcher.unlink()
            out.files.append(places.launcher)
        elif places.launcher.exists():
            out.notes.append(f"{short_path(places.launcher)} was not written by imapp: left as it is")
        if _edit_mimeapps(places.mimeapps, add=False):
            out.handler = "mimeapps.list"
        for path in places.files():  # the folders left empty (another app's icons keep theirs)
            folder = path.parent
            while places.data_home in folder.parents and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        _refresh_caches(places)
    except OSError as e:
        raise ConfigError(f"cannot remove {short_path(e.filename or places.data_home)} "
                          f"({e.strerror or e}); check that folder's permissions") from None
    return out
