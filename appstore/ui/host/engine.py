"""Whether QtWebEngine can run here, and the registration of the ``imapp-dapp`` scheme, which
must happen before the QApplication exists. Imports no QtWebEngine module at import time, so the
app can ask before deciding to open DApps in the system browser instead."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QLibraryInfo

from appstore.core.host import SCHEME

SCHEME_BYTES = SCHEME.encode("ascii")
_registered = False


def register_schemes() -> None:
    """Register the ``imapp-dapp`` scheme with QtWebEngine. Must run before the QApplication is
    made (Chromium reads the list once, at start); calling it again is harmless. Does nothing
    when QtWebEngine cannot be imported (``webengine_available()`` is then False)."""
    global _registered
    if _registered:
        return
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--force-webrtc-ip-handling-policy" not in flags:
        # WebRTC's UDP (STUN/TURN) bypasses the request interceptor: without a proxy, none
        # leaves. DApps without ``network`` also lose WebRTC itself (bridge.forbid_webrtc).
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (
            flags + " --force-webrtc-ip-handling-policy=disable_non_proxied_udp").strip()
    try:
        from PySide6.QtWebEngineCore import QWebEngineUrlScheme
    except ImportError:
        return
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME_BYTES)).name():
        _registered = True
        return
    if QCoreApplication.instance() is not None:
        raise RuntimeError("register_schemes() must run before the QApplication is made")
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME_BYTES))
    # Host syntax: every DApp gets its own origin (imapp-dapp://APP_ID.STORE). Secure: a secure
    # context (crypto.subtle, no mixed content). CORS and the Fetch API: fetch(), modules and
    # fonts work within the DApp; another DApp's files are refused by its profile's handler and
    # interceptor anyway.
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.CorsEnabled
                    | QWebEngineUrlScheme.Flag.FetchApiAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)
    _registered = True


@functools.cache
def webengine_problem() -> str | None:
    """Why QtWebEngine cannot run here (a missing module or library, no QtWebEngineProcess), or
    None when it can."""
    try:
        import PySide6.QtWebChannel  # noqa: F401
        import PySide6.QtWebEngineCore  # noqa: F401
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except (ImportError, OSError) as e:  # a missing wheel, or a system library it needs
        return f"QtWebEngine cannot be loaded ({e})"
    if sys.platform.startswith("linux") or sys.platform == "win32":
        named = os.environ.get("QTWEBENGINEPROCESS_PATH")
        exe = "QtWebEngineProcess.exe" if sys.platform == "win32" else "QtWebEngineProcess"
        process = Path(named) if named else Path(
            QLibraryInfo.path(QLibraryInfo.LibraryPath.LibraryExecutablesPath)) / exe
        if not process.is_file():
            return f"QtWebEngine's helper program is missing ({process})"
    return None


def webengine_available() -> bool:
    """Whether DApps can open inside imapp (else they open in the system browser)."""
    return webengine_problem() is None
