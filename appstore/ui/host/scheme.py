"""Serving an installed DApp's files through the ``imapp-dapp`` scheme, from its install folder
(the rules are the core's: ``appstore.core.host.files``)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject, QUrl
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob, QWebEngineUrlSchemeHandler

from appstore.core.host import MAX_INLINE, SCHEME, NotServed, Served, open_served, resolve
from appstore.core.host.policy import DAppIdentity
from appstore.core.logs import log


def reply_device(served: Served, job: QObject) -> QIODevice:
    """What a request job replies from, owned by ``job`` (QtWebEngine reads the device for as
    long as the job lives). A small file is read now, into a ``QBuffer``, and its handle closed;
    a bigger one is handed over as an open ``QFile`` that QtWebEngine reads from on its own IO
    thread, so the GUI thread never reads more than ``MAX_INLINE`` bytes for a request. Takes
    ``served.fd`` over in both cases."""
    if served.size <= MAX_INLINE:
        with os.fdopen(served.fd, "rb") as f:
            data = f.read(MAX_INLINE + 1)
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        return buffer
    file = QFile(job)
    if not file.open(served.fd, QIODevice.OpenModeFlag.ReadOnly, QFile.FileHandleFlag.AutoCloseHandle):
        os.close(served.fd)
        raise OSError(file.errorString())
    return file


class DAppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves one installed DApp's files (its profile has no other handler for the scheme):
    GET and HEAD of regular files of ``folder``, with the DApp's Content-Security-Policy. Every
    refusal is "not found" and is logged."""

    def __init__(self, identity: DAppIdentity, folder: Path, csp: str | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.identity = identity
        self.folder = folder  # changes when the DApp is updated while its profile lives
        self.host = QUrl(identity.origin).host()
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                   "Cache-Control": "no-cache"}
        if csp:
            headers["Content-Security-Policy"] = csp
        # PySide6 maps the QMultiMap of a header to a dict of lists (a bare value would be taken
        # as a list of one-byte values).
        self._headers = {QByteArray(k.encode()): [QByteArray(v.encode())] for k, v in headers.items()}

    def not_served(self, url: QUrl) -> str | None:
        """Why a request for ``url`` would be answered "not found" (logged), or None: for the
        interceptor, which fails such a request (but a page's or frame's) before it gets here."""
        if url.scheme() != SCHEME or url.host() != self.host:
            return None  # (not this DApp's files: the policy decides)
        raw_path = url.path(QUrl.ComponentFormattingOption.FullyEncoded)
        try:
            resolve(self.folder, raw_path)
        except NotServed as e:
            (log.warning if e.refused else log.info)(
                "dapp %s: 404 for %r: %s", self.identity.key, raw_path[:300], e.reason)
            return f"not found: {e.reason}"
        return None

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt's name
        url = job.requestUrl()
        method = bytes(job.requestMethod().data())
        if method not in (b"GET", b"HEAD"):
            log.info("dapp %s: %s %s refused", self.identity.key, method.decode("latin-1"),
                     url.toString())
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        if url.host() != self.host:
            log.warning("dapp %s: request for another origin refused: %s", self.identity.key,
                        url.toString())
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        raw_path = url.path(QUrl.ComponentFormattingOption.FullyEncoded)
        try:
            served = open_served(self.folder, raw_path)
        except NotServed as e:
            (log.warning if e.refused else log.info)(
                "dapp %s: 404 for %r: %s", self.identity.key, raw_path[:300], e.reason)
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        try:
            device = reply_device(served, job)
        except OSError as e:
            log.warning("dapp %s: %r cannot be read: %s", self.identity.key, raw_path[:300], e)
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        job.setAdditionalResponseHeaders(self._headers)  # type: ignore[arg-type]  # see __init__
        job.reply(QByteArray(served.mime.encode("ascii")), device)

