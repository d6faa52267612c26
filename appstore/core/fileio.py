"""Crash-safe writes: temp file in the same dir, fsync, os.replace."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def write_bytes_atomic(path: Path, data: bytes, *, fsync: bool = True,
                       parent_made: bool = False, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` all at once. ``fsync=False`` is for bulk writers that
    call ``os.sync()`` once after many files; ``parent_made``: they made the folder first;
    ``mode``: the file's permissions (default: the temp file's, 0600)."""
    if not parent_made and not path.parent.is_dir():  # one stat, not a failing mkdir
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, obj: Any) -> None:
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def fsync_dir(path: Path) -> None:
    """Make a folder's entries durable (its new files and renames). Not possible on Windows,
    where NTFS journals them itself."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

