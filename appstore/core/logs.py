"""Logging to ``DATA/logs/`` (rotating), and the line between a user's problem and a bug.

A user's problem is an ``AppStoreError`` (or an ``OSError`` about their files): it is shown as
it is and logged at INFO. Anything else is a bug: its traceback goes to the log, and the user
sees one short line that says where the details are. Secrets never reach the log: URLs lose
their ``user:password@`` part and the values of secret-looking query parameters (``?token=``,
``access_token``, ``key``, ``sig``, ``signature``, ``password``...), and nothing logs a wallet
seed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

LOG_NAME = "imapp.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")
# A query (or fragment) parameter whose name is, or ends in, a secret's word: ``token``,
# ``access_token``, ``X-Amz-Signature``, ``api_key``... Its value becomes "…". Over-redacting a
# harmless ``key=`` costs a log reader little; a leaked token costs the user their account.
_SECRET_PARAM = re.compile(
    r"([?&#;](?:[\w.-]*[_.-])?(?:token|key|apikey|sig|signature|password|passwd|pwd|secret"
    r"|credential|auth)=)[^&#;\s\"'<>]+",
    re.IGNORECASE)
EARLY_RECORDS = 2000  # records kept while the log file waits to be opened (``setup(later=True)``)
_lock = threading.Lock()
_handler: logging.Handler | None = None
_pending: _Early | None = None

log = logging.getLogger("imapp")


def redact(text: str) -> str:
    """``https://user:pw@host/?token=t&page=2`` → ``https://…@host/?token=…&page=2``, anywhere in
    ``text``."""
    return _SECRET_PARAM.sub(r"\1…", _USERINFO.sub(r"\1…@", text))


class _Redacting(logging.Formatter):
    """Redacts the whole formatted record: the message, its arguments and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _private(name: str, flags: int) -> int:
    """Open ``name`` as 0600 (a log written by an older version may be 0644: it is narrowed too)."""
    fd = os.open(name, flags, 0o600)
    if hasattr(os, "fchmod"):
        with contextlib.suppress(OSError):  # not ours to change: the log is still written
            os.fchmod(fd, 0o600)
    return fd


def _rotating_file(path: Path) -> logging.Handler:
    """The standard rotating file (``imapp.log`` becomes ``imapp.log.1``...), made 0600 (a log
    names the user's stores, apps and addresses), whose failures (disk full, rotated away
    read-only) are not the user's problem: the message is dropped rather than printed as a
    traceback. (``logging.handlers`` brings ``socket`` and ``pickle``: imported here, when the
    file is opened, not with every program that logs.)"""
    import logging.handlers

    class QuietRotatingFile(logging.handlers.RotatingFileHandler):
        def _open(self) -> io.TextIOWrapper:
            return open(self.baseFilename, "a", encoding=self.encoding, errors=self.errors,
                        opener=_private)

        def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
            pass

    return QuietRotatingFile(path, mode="a", maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")


class _Early(logging.Handler):
    """Keeps the records logged before the file is opened (``setup(later=True)``: the GUI opens
    it once its window has painted), the last ``EARLY_RECORDS`` of them."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.records: list[logging.LogRecord] = []
        self.attached = False  # ``attach()`` took the records: any later one goes to ``target``
        self.target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:  # (called holding this handler's lock)
        if self.attached:  # a record that reached this handler as it was swapped for the file
            if self.target is not None:
                self.target.handle(record)
            return
        self.records.append(record)
        if len(self.records) > EARLY_RECORDS:
            del self.records[0]


def setup(data_dir: Path | None, *, level: int = logging.INFO, later: bool = False) -> Path | None:
    """Log to ``DATA_DIR/logs/imapp.log`` (1 MB, 3 old files kept, 0600). Idempotent; returns the
    log file, or None if it cannot be written (then logging goes nowhere, quietly: a read-only
    data dir must not stop the app). ``later``: keep the records until ``attach()`` opens the
    file (a bug reported meanwhile opens it at once)."""
    global _pending
    if data_dir is None:
        return None
    path = data_dir / "logs" / LOG_NAME
    if not later or _handler is not None:  # (a file open already: this one at once)
        return _open(path, level)
    with _lock:
        if _pending is None:
            _pending = _Early(path)
            log.addHandler(_pending)
            log.setLevel(level)
            log.propagate = False
        _pending.path = path
    return path


def attach() -> Path | None:
    """Open the log file that ``setup(later=True)`` put off, and write what was kept."""
    global _pending
    with _lock:
        early, _pending = _pending, None
    if early is None:
        return log_file()
    path = _open(early.path, log.level, add=False)
    # Swapped under the early handler's lock: a record being kept meanwhile waits for it, then
    # goes to the file after the kept ones; none is lost between the two handlers or written
    # twice. The logger gets a new list rather than two changes to the one other threads may be
    # walking: a thread in the old list meets ``early`` (which now forwards), one in the new the file.
    early.acquire()
    try:
        early.attached, early.target = True, _handler
        if _handler is not None:
            for record in early.records:
                _handler.handle(record)
        early.records.clear()
        if _handler is None or _handler in log.handlers:  # no file, or one there already: drop early
            log.handlers = [h for h in log.handlers if h is not early]
        else:  # the file takes early's place
            log.handlers = [_handler if h is early else h for h in log.handlers]
    finally:
        early.release()
    return path


def _open(path: Path, level: int, *, add: bool = True) -> Path | None:
    """Log to the file at ``path`` (``add``: the handler joins the logger now; else the caller
    adds it)."""
    global _handler
    with _lock:
        if _handler is not None:
            if getattr(_handler, "baseFilename", None) == str(path):
                return path
            log.removeHandler(_handler)
            _handler.close()
            _handler = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # opened now, not at the first message: a log that cannot be written (a data dir
            # left by another user) means no log, never a traceback in the middle of an error
            handler = _rotating_file(path)
        except OSError:
            return None
        handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s [%(threadName)s] "
                                        "%(message)s"))
        if add:
            log.addHandler(handler)
        log.setLevel(level)
        log.propagate = False
        _handler = handler
        return path


def log_file() -> Path | None:
    name = getattr(_handler, "baseFilename", None)
    return Path(name) if name else None


def report_bug(exc: BaseException, where: str = "") -> str:
    """Log ``exc`` with its traceback as a bug; the one line to show the user."""
    if _pending is not None:
        attach()  # a bug's details are written now, wherever the start is
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("bug%s: %s", f" in {where}" if where else "", tb)
    path = log_file()
    detail = f"details are in {path}" if path else "run it again with a writable data dir to log details"
    summary = redact(f"{type(exc).__name__}: {exc}")
    if len(summary) > 200:
        summary = summary[:199] + "…"
    return f"imapp hit an unexpected problem ({summary}); {detail}. Please report it."


def install_excepthook(show: Callable[[str], None] | None = None) -> None:
    """Send uncaught exceptions (any thread) to the log as bugs; ``show(line)`` tells the user."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        line = report_bug(exc.with_traceback(tb))
        if show is not None:
            show(line)
        else:
            print(f"error: {line}", file=sys.stderr)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
