"""Which file of an install folder a request path names, if any: the scheme handler serves only
regular files inside the folder, reached without following a link (docs/host.md).

Refused (the handler answers "not found" and logs it): a ``..`` or ``.`` part, encoded or not
(``%2e%2e``), an encoded slash or backslash (``%2f``, ``%5c``), a backslash, NUL or any control
character, an empty part (``a//b``, an absolute path ``//etc``), a drive or stream name (``:``),
text that is not UTF-8 once decoded, a symbolic link anywhere on the way, anything that is not a
regular file, and anything that resolves outside the folder.
"""

from __future__ import annotations

import mimetypes
import os
import stat
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

MAX_URL_PATH = 2048  # characters of a request path
MAX_PART = 255  # bytes of one name
# Files up to this size are read at once, on the GUI thread (about a page of disk reads);
# bigger ones are streamed by QtWebEngine from the open file.
MAX_INLINE = 64 << 10
INDEX = "index.html"  # served for a path ending with "/"

_TEXT = "; charset=utf-8"
# Web types first: the system's mimetypes table varies between machines and misses some.
MIME_TYPES = {
    ".html": "text/html" + _TEXT, ".htm": "text/html" + _TEXT,
    ".js": "text/javascript" + _TEXT, ".mjs": "text/javascript" + _TEXT,
    ".css": "text/css" + _TEXT, ".json": "application/json", ".map": "application/json",
    ".webmanifest": "application/manifest+json", ".txt": "text/plain" + _TEXT,
    ".xml": "application/xml", ".svg": "image/svg+xml", ".wasm": "application/wasm",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".bmp": "image/bmp",
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".wav": "audio/wav", ".m4a": "audio/mp4",
    ".mp4": "video/mp4", ".webm": "video/webm", ".pdf": "application/pdf",
}
DEFAULT_TYPE = "application/octet-stream"


class NotServed(Exception):
    """The request path names no file that may be served. ``refused``: it tried to leave the
    folder or to use a form we never serve (worth a warning), rather than naming a file that
    is simply not there."""

    def __init__(self, reason: str, *, refused: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refused = refused


@dataclass(frozen=True)
class Served:
    """An open file to send: the caller owns ``fd`` (opened without following a link)."""

    path: Path
    fd: int
    size: int
    mime: str


def mime_type(name: str) -> str:
    """The Content-Type for a file name (text types with ``charset=utf-8``)."""
    ext = os.path.splitext(name)[1].lower()
    known = MIME_TYPES.get(ext)
    if known:
        return known
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if not guessed or encoding:  # "x.tar.gz" is a gzip file to a browser, not a tar
        return DEFAULT_TYPE
    return guessed + _TEXT if guessed.startswith("text/") else guessed


def _refuse(reason: str) -> NotServed:
    return NotServed(reason, refused=True)


def request_parts(url_path: str) -> list[str]:
    """The names a request path (as in the URL: percent-encoded, starting with ``/``) walks
    through, decoded; ``NotServed`` for any form we refuse."""
    if not url_path:
        url_path = "/"
    if len(url_path) > MAX_URL_PATH:
        raise _refuse("the path is too long")
    if not url_path.startswith("/"):
        raise _refuse("the path is not absolute in the URL")
    lowered = url_path.lower()
    if "\\" in url_path or "%5c" in lowered:
        raise _refuse("a backslash")
    if "%2f" in lowered:
        raise _refuse("an encoded slash")
    if "%00" in lowered or "\x00" in url_path:
        raise _refuse("a NUL character")
    try:
        decoded = urllib.parse.unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        raise _refuse("not UTF-8 once decoded") from None
    if decoded.endswith("/"):
        decoded += INDEX
    parts = decoded[1:].split("/")
    for part in parts:
        if part == "":
            raise _refuse("an empty name (// or an absolute path)")
        if part in (".", ".."):
            raise _refuse(f"a {part!r} part")
        if not part.isprintable() or any(c in part for c in "\\:\x00"):
            raise _refuse("a control character, backslash or colon in a name")
        if len(part.encode("utf-8", "surrogatepass")) > MAX_PART:
            raise _refuse("a name longer than 255 bytes")
    return parts


def resolve(folder: Path, url_path: str) -> Path:
    """The regular file of ``folder`` that ``url_path`` names; ``NotServed`` otherwise. No part
    of the way (the folder included) may be a symbolic link."""
    parts = request_parts(url_path)
    base = Path(os.path.abspath(folder))
    try:
        if stat.S_ISLNK(os.lstat(base).st_mode):
            raise _refuse("the install folder is a symbolic link")
    except OSError:
        raise NotServed("the install folder is missing", refused=False) from None
    current = base
    for i, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except (FileNotFoundError, NotADirectoryError):
            raise NotServed("no such file", refused=False) from None
        except OSError as e:
            raise NotServed(f"cannot be read ({e.strerror or e})", refused=False) from None
        if stat.S_ISLNK(mode):
            raise _refuse("a symbolic link")
        last = i == len(parts) - 1
        if not last and not stat.S_ISDIR(mode):
            raise NotServed("no such file", refused=False)
        if last and not stat.S_ISREG(mode):
            raise NotServed("not a regular file", refused=not stat.S_ISDIR(mode))
    real_base = os.path.realpath(base)
    if os.path.commonpath([real_base, os.path.realpath(current)]) != real_base:
        raise _refuse("resolves outside the install folder")  # cannot happen: no link was followed
    return current


def open_served(folder: Path, url_path: str) -> Served:
    """``resolve`` and open the file for reading without following a link (the last part is
    checked again as it is opened). The caller closes ``fd``."""
    path = resolve(folder, url_path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise NotServed(f"cannot be opened ({e.strerror or e})", refused=False) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotServed("not a regular file", refused=True)
    except BaseException:
        os.close(fd)
        raise
    return Served(path, fd, st.st_size, mime_type(path.name))
