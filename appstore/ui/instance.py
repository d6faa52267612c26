"""One imapp per data dir (docs/architecture.md, "One imapp per data dir").

A GUI holds an OS lock on its data dir (``DATA/.gui.lock``, for the life of the process) and
listens on a socket in the user's own runtime folder (``$XDG_RUNTIME_DIR/imapp``, mode 0700),
named after the user and a hash of the data dir. A second start on that data dir hands its
``imapp://`` link over that socket and ends; if it can do neither (lock nor hand-over), it says
that another imapp is using the data dir.

The message is one line of JSON, ``{"v":1,"links":[...]}`` ("" in the list: just show the
window), at most ``MAX_MESSAGE`` bytes; the answer is ``{"v":1,"ok":true}`` or
``{"v":1,"ok":false,"error":"..."}``. A folder or socket that is not the user's own is never
used, and a socket left by a crash is removed only once a connection to it has failed.

This module is the starting side (and what both sides share); ``instanceserver.py`` the
running one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from appstore.core import oslock
from appstore.core.errors import AppStoreError, short_path

VERSION = 1
MAX_MESSAGE = 16 * 1024  # bytes of one message, newline included
MAX_LINKS = 16
MAX_LINK = 2048
CONNECT_S = 0.5
ANSWER_S = 2.0  # a running imapp answers at once; a busy one reads the message later anyway
WAIT_S = 5.0  # how long a start waits for a starting or closing imapp on its data dir
LOCK_NAME = ".gui.lock"


class ChannelError(AppStoreError):
    """The hand-over channel cannot be used safely (its folder or socket is not the user's own),
    or the running imapp refused the message."""


class DataDirBusy(AppStoreError):
    """Another imapp holds the data dir's lock and did not take this start's link."""


# -- where the channel is ------------------------------------------------------------------------
def _uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else 0


def not_private(st: os.stat_result, *, folder: bool) -> str | None:
    """Why a file we are about to trust is not ours alone (None: it is)."""
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link"
    if folder and not stat.S_ISDIR(st.st_mode):
        return "it is not a folder"
    if not folder and not stat.S_ISSOCK(st.st_mode):
        return "it is not a socket"
    if st.st_uid != _uid():
        return f"it belongs to user {st.st_uid}, not to you (user {_uid()})"
    if folder and st.st_mode & 0o077:
        return f"other users can reach it (mode {stat.S_IMODE(st.st_mode):04o}, not 0700)"
    return None


def channel_dir() -> Path:
    """The user's private folder for the channel, made with mode 0700 if missing;
    ``ChannelError`` if it exists and is not the user's alone."""
    import warnings

    import platformdirs

    with warnings.catch_warnings():  # (no $XDG_RUNTIME_DIR: its fallback is checked below)
        warnings.simplefilter("ignore")
        try:
            folder = Path(platformdirs.user_runtime_dir("imapp", appauthor=False))
        except PermissionError as e:  # newer platformdirs check their /tmp fallback themselves
            raise ChannelError(f"imapp cannot hand links between its windows: {e}") from None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        problem = not_private(os.lstat(folder), folder=True)
    except OSError as e:
        problem = e.strerror or str(e)
    if problem:
        raise ChannelError(f"imapp will not use {short_path(folder)} to hand links between its windows: "
                           f"{problem}. Remove that folder (or run `chmod 700` on it if it is yours), "
                           "or set XDG_RUNTIME_DIR to a private folder.")
    return folder


def socket_name(data_dir: Path) -> str:
    """The channel's name: the user, and a hash of the data dir (one channel per data dir)."""
    return f"gui-{_uid()}-{hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]}"


def socket_path(data_dir: Path) -> Path:
    path = channel_dir() / (socket_name(data_dir) + ".sock")
    if len(os.fsencode(path)) > 107:  # sockaddr_un's limit
        raise ChannelError(f"the channel's path {short_path(path)} is too long for a socket: set "
                           "XDG_RUNTIME_DIR to a shorter folder")
    return path


# -- the message ---------------------------------------------------------------------------------
def encode(links: list[str]) -> bytes:
    return json.dumps({"v": VERSION, "links": links}, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> list[str]:
    """The links of one message; ``ValueError`` saying why it is refused."""
    if len(line) > MAX_MESSAGE:
        raise ValueError(f"the message is longer than {MAX_MESSAGE} bytes")
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the message is not JSON") from None
    if not isinstance(message, dict):
        raise ValueError("the message is not a JSON object")
    if message.get("v") != VERSION or isinstance(message.get("v"), bool):
        raise ValueError(f"message version {json.dumps(message.get('v'))[:20]} is not understood "
                         f"(this imapp speaks version {VERSION})")
    links = message.get("links")
    if not isinstance(links, list) or len(links) > MAX_LINKS or not all(
            isinstance(link, str) and len(link) <= MAX_LINK for link in links):
        raise ValueError(f"links must be a list of at most {MAX_LINKS} texts of {MAX_LINK} "
                         "characters or fewer")
    return links


def answer(error: str | None) -> bytes:
    body: dict[str, Any] = {"v": VERSION, "ok": error is None}
    if error is not None:
        body["error"] = error
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


# -- the second start ----------------------------------------------------------------------------
def forward(data_dir: Path, link: str) -> bool:
    """Hand ``link`` ("" to just raise the window) to the imapp running on ``data_dir``; False
    if none listens. ``ChannelError`` if the channel is not the user's own, or the running
    imapp refused the message."""
    if os.name != "posix":
        return _forward_named(data_dir, link)
    path = socket_path(data_dir)
    try:
        problem = not_private(os.lstat(path), folder=False)
    except FileNotFoundError:
        return False
    if problem:
        raise ChannelError(f"imapp will not hand its link to {short_path(path)}: {problem}")
    # The socket module's own C part: socket.py itself turns every constant into enums at import
    # (some 4 ms of every start, for one connection)
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_S)
        try:
            sock.connect(str(path))
        except OSError:
            return False  # nobody listening on it (a crash left it)
        try:
            sock.sendall(encode([link]))
            sock.settimeout(ANSWER_S)
            answer = sock.recv(4096)
        except OSError:
            return True  # sent: a busy imapp reads it when it can
    finally:
        sock.close()
    return _accepted(answer)


def _accepted(answer: bytes) -> bool:
    try:
        reply = json.loads(answer) if answer else {"ok": True}
    except ValueError:
        reply = {"ok": False, "error": "it answered something else than imapp's protocol"}
    if isinstance(reply, dict) and reply.get("ok") is not True:
        raise ChannelError(f"the imapp already running refused the link: {str(reply.get('error'))[:300]}")
    return True


def named_pipe(data_dir: Path) -> str:
    """(Windows: the channel is a named pipe, which Qt makes for the user only.)"""
    return f"imapp-{os.environ.get('USERNAME', '')}-{socket_name(data_dir)}"


def _forward_named(data_dir: Path, link: str) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(named_pipe(data_dir))
    if not sock.waitForConnected(int(CONNECT_S * 1000)):
        return False
    sock.write(encode([link]))
    sock.waitForBytesWritten(int(ANSWER_S * 1000))
    answer = bytes(sock.readLine().data()) if sock.waitForReadyRead(int(ANSWER_S * 1000)) else b""
    sock.disconnectFromServer()
    return _accepted(answer)


class DataDirLock:
    """The OS lock on ``DATA/.gui.lock``, held while the process runs (the OS lets go of it
    when the process ends, however it ends). The file holds the holder's process id."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    @classmethod
    def take(cls, root: Path) -> DataDirLock | None:
        """The lock, or None if another process holds it."""
        path = root / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # (not inherited by child processes)
        if not oslock.try_lock(fd):
            os.close(fd)
            return None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        return cls(fd, path)

    @staticmethod
    def holder(root: Path) -> int | None:
        """The process id written by the lock's holder, if it can be read."""
        try:
            return int((root / LOCK_NAME).read_text(errors="replace").strip()[:12])
        except (OSError, ValueError):
            return None


def claim(root: Path, link: str | None, *, wait: float = WAIT_S) -> DataDirLock | None:
    """What a start does about the imapp that may run on ``root``: hand it ``link`` (None: hand
    nothing, a screenshot) and return None, or take the data dir's lock and return it. An imapp
    that is starting (not listening yet) or closing (its lock not yet released) is waited for
    up to ``wait`` seconds; then ``DataDirBusy``."""
    deadline = time.monotonic() + wait
    why = "it does not answer"
    while True:
        if link is not None:
            try:
                if forward(root, link):
                    return None
            except ChannelError as e:
                why = str(e)
        lock = DataDirLock.take(root)
        if lock is not None:
            return lock
        if time.monotonic() >= deadline:
            pid = DataDirLock.holder(root)
            who = f"Another imapp (process {pid})" if pid else "Another imapp"
            handed = f", and did not take this start's link ({why.rstrip('.')})" if link is not None else ""
            raise DataDirBusy(f"{who} is using the data dir {short_path(root)}{handed}. Use that "
                              "window, or close it first, or start imapp with --data-dir to use "
                              "another folder.")
        time.sleep(0.1)
