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
import logging.handlers
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
_lock = threading.Lock()
_handler: logging.Handler | None = None

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


class _QuietRotatingFile(logging.handlers.RotatingFileHandler):
    """The standard rotating file (``imapp.log`` becomes ``imapp.log.1``...), made 0600 (a log
    names the user's stores, apps and addresses), whose failures (disk full, rotated away
    read-only) are not the user's problem: the message is dropped rather than printed as a
    traceback."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, mode="a", maxBytes=max_bytes, backupCount=backups, encoding="utf-8")

    def _open(self) -> io.TextIOWrapper:
        return open(self.baseFilename, "a", encoding=self.encoding, errors=self.errors,
                    opener=_private)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass


def setup(data_dir: Path | None, *, level: int = logging.INFO) -> Path | None:
    """Log to ``DATA_DIR/logs/imapp.log`` (1 MB, 3 old files kept, 0600). Idempotent; returns the
    log file, or None if it cannot be written (then logging goes nowhere, quietly: a read-only
    data dir must not stop the app)."""
    global _handler
    with _lock:
        if data_dir is None:
            return None
        path = data_dir / "logs" / LOG_NAME
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
            handler: logging.Handler = _QuietRotatingFile(path, MAX_BYTES, BACKUPS)
        except OSError:
            return None
        handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s [%(threadName)s] "
                                        "%(message)s"))
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
