"""Unpacking a verified package into a staging folder, refusing anything unsafe.

The downloader has already checked the package against the signed catalogue, so the bytes are
the publisher's. The publisher is trusted to sign, not to be careful: a package is still checked
as if it were hostile, because a store can be compromised or careless and the files land in the
user's data dir. Everything is checked from the central directory *before* a byte is written
(names, types, flags, sizes, the manifest); then the files are streamed out counting the bytes
really produced, since a header can lie. Any problem raises ``PackageError`` naming the entry and
the problem, and the staging folder is removed: nothing is ever written outside it.

The caps and rules are in docs/library.md ("Guards").
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from appstore.core.fileio import fsync_dir
from appstore.core.jobs import JobContext
from appstore.core.library.models import PackageError, Step

MANIFEST = "dapp.json"
CHUNK = 256 * 1024
MiB = 1024 * 1024

# How the unpacked files are made durable before the install folder goes live:
# "fsync": every file and folder is fsynced (touches only our files, but costs about one journal
# commit per file: 2,000 files take twice as long as with syncfs, see bench/install.py);
# "syncfs": one syncfs(2) of the data dir's file system after the batch (Linux; elsewhere the
# same as "fsync"): fast, but it also waits for whatever else is dirty on that file system;
# "auto": "fsync" up to AUTO_FSYNC_FILES files (a few milliseconds, whatever else the computer is
# writing), "syncfs" above. All make sure no file is empty or torn once the folder is renamed.
Sync = Literal["auto", "fsync", "syncfs"]
AUTO_FSYNC_FILES = 100


@dataclass(frozen=True)
class Limits:
    """Caps on what a package may hold (docs/library.md, "Guards")."""

    max_files: int = 10_000  # entries, folders included
    max_bytes: int = 256 * MiB  # unpacked, counted as written
    max_ratio: int = 100  # unpacked / compressed, for an entry over ``ratio_from`` bytes
    ratio_from: int = 1 * MiB
    max_depth: int = 32  # folders in a path
    max_name: int = 255  # bytes (UTF-8) in one part of a path
    max_path: int = 1024  # characters in a whole path
    max_manifest: int = 64 * 1024  # bytes of dapp.json


LIMITS = Limits()


@dataclass(frozen=True)
class Manifest:
    """``dapp.json``, checked against the catalogue."""

    id: str
    version: str
    entry: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class Unpacked:
    """A package unpacked into ``folder`` (inside the staging area), checked and durable."""

    folder: Path
    manifest: Manifest
    files: int
    size: int  # bytes written


# C0 and C1 controls, DEL, and the Unicode bidi controls (a name that reorders itself).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_DRIVE = re.compile("[A-Za-z]:")
_WINDOWS_BAD = frozenset('<>:"|?*')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))})
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG_ENCRYPTION = 0x40
_FLAG_UTF8 = 0x800
_LOCAL_HEADER = 30  # bytes of a local file header before its name


def show(name: str, limit: int = 80) -> str:
    """An entry's name for a message: quoted, control characters escaped, at most ``limit``."""
    return repr(name if len(name) <= limit else name[:limit] + "…")


def name_problem(name: str, limits: Limits = LIMITS) -> str | None:
    """Why ``name`` (a path inside a package, "/"-separated, a trailing "/" for a folder)
    cannot be unpacked safely on every system we run on, or None if it can."""
    if not name or name == "/":
        return "has an empty name"
    bad = _UNSAFE.search(name)
    if bad:
        what = "a NUL byte" if bad.group() == "\x00" else f"the control character {bad.group()!r}"
        return f"has {what} in its name"
    if _DRIVE.match(name):
        return "starts with a drive letter; it must be relative to the app's folder"
    if name.startswith("/"):
        return "is an absolute path; it must be relative to the app's folder"
    if "\\" in name:
        return "uses a backslash; folders in a zip are separated with /"
    if len(name) > limits.max_path:
        return f"is longer than {limits.max_path} characters"
    parts = name.removesuffix("/").split("/")
    if len(parts) > limits.max_depth:
        return f"is nested deeper than {limits.max_depth} folders"
    for part in parts:
        if part in ("", "."):
            return "has an empty or '.' part (like a//b or a/./b)"
        if part == "..":
            return "has a '..' part, which would point outside the app's folder"
        if len(part.encode("utf-8", "surrogatepass")) > limits.max_name:
            return f"has a part longer than {limits.max_name} bytes"
        if _WINDOWS_BAD.intersection(part):
            return 'has a character Windows does not allow in file names (< > : " | ? *)'
        if part.endswith((".", " ")):
            return "has a part ending with a dot or a space (Windows would drop it)"
        if part.split(".")[0].lower().rstrip(" ") in _RESERVED:
            return "has a part that is a device name on Windows (CON, NUL, COM1...)"
    return None


def _key(name: str) -> str:
    """What a case-insensitive, normalising file system would make of ``name``."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _entry_type_problem(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind in (0, stat.S_IFREG, stat.S_IFDIR):
        if kind == stat.S_IFDIR and not info.orig_filename.endswith("/"):
            return "is marked as a folder but its name does not end with /"
        if info.orig_filename.endswith("/") and info.file_size:
            return "is a folder entry that holds data"
        return None
    names = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a FIFO (named pipe)",
             stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
             stat.S_IFSOCK: "a socket"}
    what = names.get(kind, f"a special entry (type {kind:#o})")
    return f"is {what}; a package holds only files and folders"


class _Refuse:
    """Builds the ``PackageError`` for one problem."""

    @staticmethod
    def entry(name: str, problem: str) -> PackageError:
        return PackageError(f"package refused: entry {show(name)} {problem}")

    @staticmethod
    def package(problem: str) -> PackageError:
        return PackageError(f"package refused: {problem}")


@dataclass(frozen=True)
class _Plan:
    files: list[zipfile.ZipInfo]  # in the order they are stored (one sequential read)
    folders: list[str]  # every folder to create, parents first ("a", "a/b")
    declared: int  # bytes the headers announce


def _plan(zf: zipfile.ZipFile, limits: Limits) -> _Plan:
    """Check every entry from the central directory, before anything is written."""
    infos = zf.infolist()
    if len(infos) > limits.max_files:
        raise _Refuse.package(f"holds {len(infos)} entries, more than the limit of {limits.max_files}")
    seen: dict[str, str] = {}  # _key(path) -> the name as stored
    files: list[zipfile.ZipInfo] = []
    file_keys: set[str] = set()
    folders: dict[str, str] = {}  # _key -> path, explicit and implied
    declared = 0
    for info in infos:
        name = info.orig_filename
        problem = name_problem(name, limits) or _entry_type_problem(info)
        if problem is None and info.filename != name:
            problem = "has a name this system would change when unpacking"
        if problem is None and info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            problem = "is encrypted; a package must not be"
        if problem is None and info.compress_type not in _METHODS:
            problem = (f"uses compression method {info.compress_type}; only stored and deflate "
                       "are supported")
        if problem is None and info.compress_type == zipfile.ZIP_STORED \
                and info.compress_size != info.file_size:
            problem = "is stored uncompressed but its sizes disagree"
        if problem is None and info.file_size > limits.ratio_from \
                and info.file_size > max(info.compress_size, 1) * limits.max_ratio:
            ratio = info.file_size // max(info.compress_size, 1)
            problem = (f"would expand {ratio}:1 ({info.file_size} bytes), more than "
                       f"{limits.max_ratio}:1: a zip bomb")
        if problem:
            raise _Refuse.entry(name, problem)
        path = name.removesuffix("/")
        key = _key(path)
        if key in seen:
            other = seen[key]
            if other.removesuffix("/") == path:
                raise _Refuse.entry(name, "is in the package twice")
            raise _Refuse.entry(name, f"and {show(other)} differ only in letter case or Unicode "
                                      "form: they would be the same file on Windows and macOS")
        seen[key] = name
        parts = path.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            fkey = _key(folder)
            if fkey in file_keys:
                raise _Refuse.entry(name, f"is inside {show(folder)}, which is a file")
            if folders.setdefault(fkey, folder) != folder:
                raise _Refuse.entry(name, f"is in the folder {show(folder)}, and {show(folders[fkey])} "
                                          "differs only in letter case or Unicode form: they would "
                                          "be the same folder on Windows and macOS")
        if name.endswith("/"):
            if folders.setdefault(key, path) != path:
                raise _Refuse.entry(name, f"and {show(folders[key] + '/')} differ only in letter case "
                                          "or Unicode form: they would be the same folder on Windows "
                                          "and macOS")
        else:
            if key in folders:
                raise _Refuse.entry(name, "is a file but also a folder of other entries")
            file_keys.add(key)
            files.append(info)
            declared += info.file_size
    if declared > limits.max_bytes:
        raise _Refuse.package(f"would unpack to {declared} bytes, more than the limit of "
                              f"{limits.max_bytes} bytes")
    _check_overlaps(zf, infos)
    files.sort(key=lambda i: i.header_offset)
    return _Plan(files, sorted(folders.values(), key=lambda f: (f.count("/"), f)), declared)


def _check_overlaps(zf: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo]) -> None:
    """Refuse entries whose data overlap (a zip bomb that reuses one compressed stream for many
    files). Each local header is at least 30 bytes plus its name, then its compressed data."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    end_of_data = int(getattr(zf, "start_dir", 0) or 0)
    for this, after in zip(ordered, [*ordered[1:], None], strict=True):
        raw_name = this.orig_filename.encode("utf-8" if this.flag_bits & _FLAG_UTF8 else "cp437",
                                             "replace")
        end = this.header_offset + _LOCAL_HEADER + len(raw_name) + this.compress_size
        limit = after.header_offset if after is not None else end_of_data or end
        if end > limit or this.header_offset < 0:
            raise _Refuse.entry(this.orig_filename, "overlaps the next entry's data (a zip bomb "
                                                    "trick) or the zip is damaged")


def _read_manifest(zf: zipfile.ZipFile, plan: _Plan, app_id: str, version: str,
                   permissions: Collection[str], limits: Limits) -> Manifest:
    info = next((i for i in plan.files if i.orig_filename == MANIFEST), None)
    if info is None:
        raise _Refuse.package(f"has no {MANIFEST} at its root (the manifest naming the app, its "
                              "version, its start page and its permissions)")
    if info.file_size > limits.max_manifest:
        raise _Refuse.package(f"{MANIFEST} is larger than {limits.max_manifest} bytes")
    try:
        with zf.open(info) as f:
            raw = f.read(limits.max_manifest + 1)
        data = json.loads(raw.decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise _Refuse.entry(MANIFEST, f"is damaged ({e})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Refuse.package(f"{MANIFEST} is not valid UTF-8 JSON ({e})") from None
    if not isinstance(data, dict):
        raise _Refuse.package(f"{MANIFEST} must be a JSON object")
    if data.get("id") != app_id:
        raise _Refuse.package(f"{MANIFEST} says the app is {show(str(data.get('id')))} but the "
                              f"catalogue says {show(app_id)}")
    if data.get("version") != version:
        raise _Refuse.package(f"{MANIFEST} says version {show(str(data.get('version')))} but the "
                              f"catalogue says {show(version)}")
    entry = data.get("entry")
    if not isinstance(entry, str) or not entry:
        raise _Refuse.package(f"{MANIFEST}: 'entry' must name the app's start page, like index.html")
    problem = name_problem(entry, limits)
    if problem or entry.endswith("/"):
        raise _Refuse.package(f"{MANIFEST}: the entry page {show(entry)} "
                              f"{problem or 'is a folder, not a page'}")
    if not any(i.orig_filename == entry for i in plan.files):
        raise _Refuse.package(f"{MANIFEST}: the entry page {show(entry)} is not in the package")
    perms = data.get("permissions", [])
    if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
        raise _Refuse.package(f"{MANIFEST}: 'permissions' must be a list of permission names")
    extra = sorted(set(perms) - set(permissions))
    if extra:
        raise _Refuse.package(f"{MANIFEST} asks for {', '.join(show(p) for p in extra)}, which the "
                              "catalogue does not list for this app")
    return Manifest(app_id, version, entry, tuple(dict.fromkeys(perms)))


def unpack(package: Path, staging_root: Path, *, app_id: str, version: str,
           permissions: Collection[str], ctx: JobContext | None = None,
           limits: Limits = LIMITS, sync: Sync = "fsync") -> Unpacked:
    """Unpack the verified zip ``package`` into a new folder inside ``staging_root``, checking
    every entry and ``dapp.json`` (its id and version must be ``app_id`` and ``version``, its
    permissions drawn from ``permissions``). The folder and its files are durable when this
    returns (see ``Sync``); the caller makes it live with one rename on the same file system.

    ``PackageError`` (naming the entry and the problem), ``Cancelled`` or ``OSError``: the new
    folder is removed and nothing else was written.
    """
    ctx = ctx or JobContext()
    staging_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=staging_root))
    try:
        try:
            zf = zipfile.ZipFile(package)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as e:
            raise _Refuse.package(f"is not a zip file, or it is damaged or truncated ({e})") from None
        with zf:
            plan = _plan(zf, limits)
            manifest = _read_manifest(zf, plan, app_id, version, permissions, limits)
            per_file = (sync == "fsync" or not _has_syncfs()
                        or (sync == "auto" and len(plan.files) <= AUTO_FSYNC_FILES))
            size = _extract(zf, plan, folder, ctx, limits, per_file=per_file)
        os.chmod(folder, 0o755)  # mkdtemp made it 0700
        if per_file:
            fsync_dir(folder)
        else:
            _syncfs(folder)
        return Unpacked(folder, manifest, len(plan.files), size)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _extract(zf: zipfile.ZipFile, plan: _Plan, folder: Path, ctx: JobContext, limits: Limits, *,
             per_file: bool) -> int:
    base = str(folder)
    for name in plan.folders:
        d = os.path.join(base, *name.split("/"))
        os.mkdir(d, 0o755)
        os.chmod(d, 0o755)  # whatever the umask
    total = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for info in plan.files:
        ctx.check()
        ctx.progress(total, plan.declared, Step.UNPACKING)
        name = info.orig_filename
        written = chunks = 0
        dest = os.path.join(base, *name.split("/"))
        try:
            with zf.open(info) as src, os.fdopen(os.open(dest, flags, 0o644), "wb") as out:
                if hasattr(os, "fchmod"):
                    os.fchmod(out.fileno(), 0o644)
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    total += len(chunk)
                    if total > limits.max_bytes:
                        raise _Refuse.package(f"unpacks to more than the limit of {limits.max_bytes} "
                                              f"bytes (at entry {show(name)})")
                    if written > info.file_size:
                        raise _Refuse.entry(name, f"holds more than the {info.file_size} bytes its "
                                                  "header says")
                    if written > max(limits.ratio_from, max(info.compress_size, 1) * limits.max_ratio):
                        raise _Refuse.entry(name, f"expands more than {limits.max_ratio}:1: a zip bomb")
                    out.write(chunk)
                    chunks += 1
                    if chunks % 64 == 0:
                        ctx.check()  # a big file: let a cancel through every 16 MiB
                out.flush()
                if per_file:
                    os.fsync(out.fileno())
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            raise _Refuse.entry(name, f"is damaged or does not match its header ({e})") from None
        except (RuntimeError, NotImplementedError) as e:  # zipfile: encryption, methods
            raise _Refuse.entry(name, f"cannot be unpacked ({e})") from None
        if written != info.file_size:
            raise _Refuse.entry(name, f"holds {written} bytes but its header says {info.file_size}")
    ctx.progress(total, plan.declared, Step.UNPACKING)
    if per_file:
        for name in reversed(plan.folders):
            fsync_dir(folder.joinpath(*name.split("/")))
    return total


_libc: ctypes.CDLL | None = None


def _has_syncfs() -> bool:
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    if _libc is None:
        # the running program's symbols, libc's among them (find_library would run ldconfig
        # in a subprocess, which would inherit our lock file for a moment)
        _libc = ctypes.CDLL(None, use_errno=True)
    return hasattr(_libc, "syncfs")


def _syncfs(path: Path) -> None:
    """syncfs(2) the file system holding ``path``: every dirty file and folder on it is on the
    disk once this returns (Linux only: see ``_has_syncfs``)."""
    assert _libc is not None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if _libc.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(path))
    finally:
        os.close(fd)
