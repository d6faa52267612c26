"""Whether QtWebEngine can run here, and the registration of the ``imapp-dapp`` scheme. Imports
no QtWebEngine module at import time, so the app can ask before deciding to open DApps in the
system browser instead.

A start does not load QtWebEngine (some 30 ms, before the window could show): ``prepare()``,
before the QApplication exists, does what QtWebEngine needs of that moment without it, and the
DApp host registers the scheme when it is first made, before any profile or page exists (which
is when Chromium reads the list of schemes)."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo

_registered = False


def prepare() -> None:
    """Before the QApplication is made: Chromium's flags, and the OpenGL context shared with
    the pages (``AA_ShareOpenGLContexts``, which QtWebEngine sets itself when it is loaded before
    the QApplication). Loads no QtWebEngine module."""
    from PySide6.QtCore import Qt

    _chromium_flags()
    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def _chromium_flags() -> None:
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--force-webrtc-ip-handling-policy" not in flags:
        # WebRTC's UDP (STUN/TURN) bypasses the request interceptor: without a proxy, none
        # leaves. DApps without ``network`` also lose WebRTC itself (bridge.forbid_webrtc).
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (
            flags + " --force-webrtc-ip-handling-policy=disable_non_proxied_udp").strip()


def register_schemes() -> None:
    """Register the ``imapp-dapp`` scheme with QtWebEngine. Must run before QtWebEngine starts
    (its first profile or page: Chromium reads the list once); the DApp host calls it when it
    is made, and calling it again is harmless. ``RuntimeError`` when it is too late. Does nothing
    when QtWebEngine cannot be imported (``webengine_available()`` is then False)."""
    global _registered
    if _registered:
        return
    _chromium_flags()
    try:
        from PySide6.QtWebEngineCore import QWebEngineUrlScheme
    except ImportError:
        return
    from PySide6.QtCore import QByteArray

    from appstore.core.host import SCHEME  # (the DApp rules: not what a start needs)

    name = QByteArray(SCHEME.encode("ascii"))
    if QWebEngineUrlScheme.schemeByName(name).name():
        _registered = True
        return
    scheme = QWebEngineUrlScheme(name)
    # Host syntax: every DApp gets its own origin (imapp-dapp://APP_ID.STORE). Secure: a secure
    # context (crypto.subtle, no mixed content). CORS and the Fetch API: fetch(), modules and
    # fonts work within the DApp; another DApp's files are refused by its profile's handler and
    # interceptor anyway.
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.CorsEnabled
                    | QWebEngineUrlScheme.Flag.FetchApiAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)
    if not QWebEngineUrlScheme.schemeByName(name).name():
        # (QtWebEngine only warns: "Too late to register scheme")
        raise RuntimeError("register_schemes() must run before QtWebEngine starts")
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
