"""Whether QtWebEngine can run here, and the registration of the ``imapp-dapp`` scheme. Imports
no QtWebEngine module at import time, so the app can ask before deciding to open DApps in the
system browser instead.

A start does not load QtWebEngine (some 30 ms, before the window could show): ``prepare()``,
before the QApplication exists, does what QtWebEngine needs of that moment without it, and the
DApp host registers the scheme when it is first made, before any profile or page exists (which
is when Chromium reads the list of schemes)."""

from __future__ import annotations

import functools
import importlib
import importlib.util
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


# WebRTC's UDP (STUN, TURN, media) bypasses the request interceptor: with this policy, WebRTC
# sends nothing but TCP through the proxy (and without a proxy, no UDP at all).
WEBRTC_POLICY = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"
# A sealed host process (DApps without ``network``): its Chromium resolves no name, and every
# connection (HTTP, WebSocket, preconnect, prefetch, WebRTC's TCP, loopback included) must go
# through a proxy whose name is in the reserved .invalid domain and, with every name mapped to
# "not found", cannot be resolved: no socket is ever opened. QtWebEngine splits the variable
# at spaces outside double quotes.
SEALED_FLAGS = ('--host-resolver-rules="MAP * ~NOTFOUND"',
                "--proxy-server=http://no-network.imapp.invalid:9",
                "--proxy-bypass-list=<-loopback>")
# Switches that would loosen those (dropped from what the environment gives a sealed process).
_NETWORK_SWITCHES = ("--proxy-server", "--proxy-bypass-list", "--no-proxy-server", "--proxy-pac-url",
                     "--proxy-auto-detect", "--host-resolver-rules", "--host-rules",
                     "--webrtc-ip-handling-policy", "--force-webrtc-ip-handling-policy")


def host_flags(base: str, *, sealed: bool) -> str:
    """Chromium's flags for a DApp host process: what the environment gives (``base``: its
    sandbox, GPU and log switches stay), with the WebRTC policy and, for a ``sealed`` process,
    no network at all. The host's own switches come last (Chromium keeps the last of a switch
    given twice), and a sealed process drops any switch of the environment that names a proxy
    or a resolver rule."""
    parts = _split_flags(base)
    if sealed:
        parts = [p for p in parts if p.split("=", 1)[0] not in _NETWORK_SWITCHES]
        parts += SEALED_FLAGS
    else:
        parts = [p for p in parts if not p.startswith("--force-webrtc-ip-handling-policy")]
    return " ".join([*parts, WEBRTC_POLICY])


def _split_flags(flags: str) -> list[str]:
    """The switches of QTWEBENGINE_CHROMIUM_FLAGS as QtWebEngine reads them: split at spaces
    outside double quotes (the quotes stay, as QtWebEngine passes them on)."""
    parts: list[str] = []
    current, quoted = "", False
    for c in flags:
        if c == '"':
            quoted = not quoted
        if c == " " and not quoted:
            if current:
                parts.append(current)
            current = ""
        else:
            current += c
    if current:
        parts.append(current)
    return parts


def _chromium_flags() -> None:
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--force-webrtc-ip-handling-policy" not in flags:
        # (the store's own process runs no DApp; a test or tool that opens one here gets the policy)
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " " + WEBRTC_POLICY).strip()


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


WEBENGINE_MODULES = ("PySide6.QtWebChannel", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets")


@functools.cache
def webengine_problem() -> str | None:
    """Why QtWebEngine cannot run here (a missing module, no QtWebEngineProcess), or None when it
    can. Loads no QtWebEngine module: imapp's own process runs no DApp (a host process that then
    cannot load a system library it needs says so itself: ``load_problem``)."""
    for name in WEBENGINE_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"QtWebEngine cannot be loaded (no module named {name!r})"
    if sys.platform.startswith("linux") or sys.platform == "win32":
        named = os.environ.get("QTWEBENGINEPROCESS_PATH")
        exe = "QtWebEngineProcess.exe" if sys.platform == "win32" else "QtWebEngineProcess"
        process = Path(named) if named else Path(
            QLibraryInfo.path(QLibraryInfo.LibraryPath.LibraryExecutablesPath)) / exe
        if not process.is_file():
            return f"QtWebEngine's helper program is missing ({process})"
    return None


def load_problem() -> str | None:
    """``webengine_problem``, then loading QtWebEngine itself (a wheel without the system
    libraries it needs fails only here): for a DApp host process, before its first page."""
    problem = webengine_problem()
    if problem:
        return problem
    try:
        for name in WEBENGINE_MODULES:
            importlib.import_module(name)
    except (ImportError, OSError) as e:  # a missing wheel, or a system library it needs
        return f"QtWebEngine cannot be loaded ({e})"
    return None


def webengine_available() -> bool:
    """Whether DApps can open inside imapp (else they open in the system browser)."""
    return webengine_problem() is None
