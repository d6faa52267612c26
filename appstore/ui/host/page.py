"""A DApp's page: navigation, popups and browser permissions decided by the DApp's policy.

Nothing here asks the user directly: a decision that needs the user is emitted as a signal and
the window asks once the engine's callback has returned (a dialog inside a Chromium callback
would run a nested event loop in the middle of a navigation).
"""

from __future__ import annotations

import secrets

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineDesktopMediaRequest,
    QWebEngineLoadingInfo,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineScript,
)

from appstore.core.host.policy import DAppPolicy, Decision, Feature, Nav
from appstore.core.logs import log

MAX_ERRORS = 20
_P = QWebEnginePermission.PermissionType
FEATURES: dict[QWebEnginePermission.PermissionType, tuple[Feature, ...]] = {
    _P.MediaAudioCapture: (Feature.MICROPHONE,),
    _P.MediaVideoCapture: (Feature.CAMERA,),
    _P.MediaAudioVideoCapture: (Feature.CAMERA, Feature.MICROPHONE),
    _P.DesktopVideoCapture: (Feature.SCREEN,),
    _P.DesktopAudioVideoCapture: (Feature.SCREEN,),
    _P.Geolocation: (Feature.LOCATION,),
    _P.Notifications: (Feature.NOTIFICATIONS,),
    _P.ClipboardReadWrite: (Feature.CLIPBOARD,),
    _P.MouseLock: (Feature.MOUSE_LOCK,),
    _P.LocalFontsAccess: (Feature.LOCAL_FONTS,),
}


def _encoded(url: QUrl) -> str:
    return url.toString(QUrl.ComponentFormattingOption.FullyEncoded)


class DAppPage(QWebEnginePage):
    """Signals: ``leave_requested(str url)`` the DApp wants to open an outside address (ask,
    then the system browser); ``popup_requested(object)`` a same-origin window to open in the
    host (a ``QWebEngineNewWindowRequest``: handle it before the slot returns);
    ``permission_asked(object permission, object features)`` the manifest asks for a feature
    the user must agree to (a ``QWebEnginePermission`` to grant or deny)."""

    leave_requested = Signal(str)
    popup_requested = Signal(object)
    permission_asked = Signal(object, object)
    painted = Signal()

    def __init__(self, profile: QWebEngineProfile, policy: DAppPolicy,
                 parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.policy = policy
        self.errors: list[str] = []  # the page's last console errors
        self._paint_token = ""
        self.permissionRequested.connect(self._permission_requested)
        self.newWindowRequested.connect(self._new_window_requested)
        self.desktopMediaRequested.connect(self._desktop_media_requested)
        self._refused = False  # a main-frame navigation was refused: its load has not ended yet
        self.loadingChanged.connect(self._loading_changed)

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel,  # noqa: N802
                                 message: str, line: int, source: str) -> None:
        """A DApp's console goes to the debug log (and its developer tools), not to Qt's log:
        a page's errors are not imapp's. The last errors are kept in ``errors``."""
        if self._paint_token and message == self._paint_token:
            self._paint_token = ""
            self.painted.emit()
            return
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(f"{source}:{line}: {message}"[:500])
            del self.errors[:-MAX_ERRORS]
        log.debug("dapp %s console %s: %s (%s:%s)", self.policy.identity.key, level.name,
                  message[:500], source[:200], line)

    def notify_painted(self) -> None:
        """Emit ``painted`` once the page has produced its next frame (two animation frames from
        now): for a screenshot of what the DApp shows. Runs in an isolated world, with a token
        the page cannot see."""
        self._paint_token = "imapp-painted-" + secrets.token_hex(8)
        self.runJavaScript("requestAnimationFrame(() => requestAnimationFrame(() => "
                           f"console.debug('{self._paint_token}')));",
                           QWebEngineScript.ScriptWorldId.ApplicationWorld)

    def acceptNavigationRequest(self, url: QUrl | str,  # noqa: N802 - Qt's name
                                type: QWebEnginePage.NavigationType, isMainFrame: bool) -> bool:  # noqa: A002, N803
        target = _encoded(QUrl(url))
        nav = self.policy.navigation(target, main_frame=isMainFrame)
        if nav == Nav.STAY:
            return True
        if nav == Nav.EXTERNAL:
            self.leave_requested.emit(target)
        else:
            log.info("dapp %s: navigation refused: %s", self.policy.identity.key, target[:300])
        if isMainFrame:
            self._refused = True
        return False

    def _loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        if self._refused and info.status() != QWebEngineLoadingInfo.LoadStatus.LoadStartedStatus:
            self._refused = False
            self._renew_scripts()

    def _renew_scripts(self) -> None:
        """Hand the page's scripts to Chromium again once a refused main-frame navigation has
        stopped: from then on QtWebEngine (6.11) no longer injects them into new frames (srcdoc,
        blob: and same-origin frames had WebRTC back). Renewed any earlier, they are lost too."""
        scripts = self.scripts()
        every = scripts.toList()
        scripts.clear()
        for script in every:
            scripts.insert(script)

    def _new_window_requested(self, request: QWebEngineNewWindowRequest) -> None:
        target = _encoded(request.requestedUrl())
        nav = self.policy.popup(target)
        if nav == Nav.STAY:
            self.popup_requested.emit(request)
        elif nav == Nav.EXTERNAL:
            self.leave_requested.emit(target)
        else:
            log.info("dapp %s: window refused: %s", self.policy.identity.key, target[:300])

    def _desktop_media_requested(self, request: QWebEngineDesktopMediaRequest) -> None:
        """Screen sharing is refused: no manifest key grants it today, and a key that may later
        let a DApp ask needs a screen picker first."""
        log.info("dapp %s: screen capture refused", self.policy.identity.key)
        request.cancel()

    def _permission_requested(self, permission: QWebEnginePermission) -> None:
        features = FEATURES.get(permission.permissionType(), (Feature.OTHER,))
        requester = _encoded(permission.origin())
        # a frame of another origin: never
        decision = self.policy.permission(*features) if self.policy.inside(requester) else Decision.DENY
        log.info("dapp %s: %s asked for %s: %s", self.policy.identity.key, requester,
                 "+".join(features), decision)
        if decision == Decision.GRANT:
            permission.grant()
        elif decision == Decision.DENY:
            permission.deny()
        else:
            self.permission_asked.emit(permission, features)
