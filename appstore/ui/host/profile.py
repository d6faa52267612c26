"""One web profile per DApp: its own storage folder (or memory only, without ``storage``), its
settings from the manifest's permissions, the request interceptor that enforces ``network``, and,
for installed DApps, the scheme handler serving its install folder."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineProfileBuilder,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)

from appstore.core.host import SCHEME, cache_dir, storage_dir, storage_name
from appstore.core.host.policy import DAppIdentity, DAppPolicy, Kind
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.ui import texts
from appstore.ui.host.scheme import DAppSchemeHandler

_BLOCKED_LOGGED = 50  # blocked requests logged per profile (a page may retry in a loop)


_R = QWebEngineUrlRequestInfo.ResourceType
NAVIGATIONS = (_R.ResourceTypeMainFrame, _R.ResourceTypeSubFrame,
               _R.ResourceTypeNavigationPreloadMainFrame, _R.ResourceTypeNavigationPreloadSubFrame)


class DAppInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request the DApp's policy refuses (http(s) and websockets without
    ``network``, ``file:``, other DApps' files, unknown schemes), and a file of its own that the
    scheme handler would not serve, unless a page or frame asks for it (QtWebEngine's "not
    found" answer to a fetch() never ends its body: a blocked request fails at once). Runs on
    the GUI thread."""

    def __init__(self, policy: DAppPolicy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.policy = policy
        self.handler: DAppSchemeHandler | None = None
        self.blocked = 0

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 - Qt's name
        url = info.requestUrl().toString(QUrl.ComponentFormattingOption.FullyEncoded)
        reason = self.policy.request(url)
        if reason is None and self.handler is not None and info.resourceType() not in NAVIGATIONS:
            reason = self.handler.not_served(info.requestUrl())
        if reason is None:
            return
        info.block(True)
        self.blocked += 1
        if self.blocked <= _BLOCKED_LOGGED:
            log.info("dapp %s: request blocked (%s): %s", self.policy.identity.key, reason, url[:300])


class DAppProfile(QObject):
    """A DApp's profile and what enforces its policy, kept while the host lives so reopening is
    warm. ``folder`` (installed DApps) can move to a new install folder after an update."""

    def __init__(self, paths: Paths, identity: DAppIdentity, folder: Path | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.identity = identity
        self.policy = DAppPolicy(identity)
        self.profile = _make_profile(paths, identity, self.policy, self)
        self.interceptor = DAppInterceptor(self.policy, self.profile)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.handler: DAppSchemeHandler | None = None
        if identity.kind == Kind.WEB and folder is not None:
            self.handler = DAppSchemeHandler(identity, folder, self.policy.csp, self.profile)
            self.profile.installUrlSchemeHandler(SCHEME.encode("ascii"), self.handler)
            self.interceptor.handler = self.handler

    def retarget(self, identity: DAppIdentity, folder: Path | None) -> bool:
        """Serve ``folder`` from now on (the DApp was updated); False if the identity changed
        in a way this profile cannot follow (permissions or kind: make a new profile)."""
        if identity.kind != self.identity.kind or identity.permissions != self.identity.permissions \
                or identity.origin != self.identity.origin:
            return False
        self.identity = identity
        if self.handler is not None and folder is not None:
            self.handler.folder = folder
            self.handler.identity = identity
        return True


ACCEPT_LANGUAGE = {"en": "en-US,en;q=0.9", "zh_CN": "zh-CN,zh;q=0.9,en;q=0.8"}


def _make_profile(paths: Paths, identity: DAppIdentity, policy: DAppPolicy,
                  parent: QObject) -> QWebEngineProfile:
    builder = QWebEngineProfileBuilder()
    # Permissions are decided by the policy on every request, never remembered.
    builder.setPersistentPermissionsPolicy(QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime)
    if policy.persistent:
        storage = storage_dir(paths, identity.store, identity.app_id)
        cache = cache_dir(paths, identity.store, identity.app_id)
        for d in (storage, cache):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o700)
        builder.setPersistentStoragePath(str(storage))
        builder.setCachePath(str(cache))
        builder.setHttpCacheType(QWebEngineProfile.HttpCacheType.DiskHttpCache)
        builder.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.AllowPersistentCookies)
        profile = builder.createProfile(storage_name(identity.store, identity.app_id), parent)
    else:  # no "storage": nothing is written to disk; the data goes when the profile does
        builder.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        profile = builder.createOffTheRecordProfile(parent)
    profile.setSpellCheckEnabled(False)
    profile.setPushServiceEnabled(False)
    # A DApp speaks imapp's language (navigator.language and Accept-Language follow it).
    profile.setHttpAcceptLanguage(ACCEPT_LANGUAGE.get(texts.language(), ACCEPT_LANGUAGE["en"]))
    _apply_settings(profile.settings(), policy)
    return profile


def _apply_settings(settings: QWebEngineSettings, policy: DAppPolicy) -> None:
    a = QWebEngineSettings.WebAttribute
    on = {
        a.JavascriptEnabled: True,
        a.LocalStorageEnabled: True,
        a.JavascriptCanOpenWindows: True,  # each popup passes DAppPage's rules
        a.JavascriptCanAccessClipboard: policy.clipboard,
        a.JavascriptCanPaste: policy.clipboard,
        a.ErrorPageEnabled: False,  # the host shows its own page when a load fails
        a.PluginsEnabled: False,
        a.ScreenCaptureEnabled: False,
        a.LocalContentCanAccessFileUrls: False,
        a.LocalContentCanAccessRemoteUrls: False,
        a.AllowRunningInsecureContent: False,
        a.AllowGeolocationOnInsecureOrigins: False,
        a.AllowWindowActivationFromJavaScript: False,
        a.HyperlinkAuditingEnabled: False,
        a.DnsPrefetchEnabled: False,
        a.FullScreenSupportEnabled: False,
        a.PdfViewerEnabled: False,
        a.NavigateOnDropEnabled: False,  # a file dropped on the window must not replace the DApp
        a.FocusOnNavigationEnabled: True,
    }
    for attribute, value in on.items():
        settings.setAttribute(attribute, value)
