"""An app's page: what it is, what it looks like, what it may do, and where it comes from.

Everything a store wrote is shown as plain text (``plain_label``); the only rich text is the
description, sanitised by the core (``richtext.to_html``), and the website link, built escaped from a checked
URL (``widgets.link_label``). Links open only if they are http(s) (``widgets.open_link``).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QElapsedTimer, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from appstore.core.activity import Activity
from appstore.core.catalog.models import App, localized
from appstore.core.catalog.richtext import to_html
from appstore.core.jobs import JobContext
from appstore.core.store.client import RefreshOutcome
from appstore.core.store.manager import CatalogView, Listing
from appstore.ui import texts
from appstore.ui.appactions import AppActions
from appstore.ui.controller import Controller
from appstore.ui.images import ImageLoader, image_key
from appstore.ui.installs import InstallController
from appstore.ui.screenshots import ScreenshotViewer
from appstore.ui.widgets import ClickableLabel, link_label, open_link, plain_label, section_title

ICON = QSize(192, 192)
THUMB = QSize(640, 400)


def share_text(app: App, lang: str) -> str:
    link = f"imapp://app/{app.store}/{app.id}"
    return f"{localized(app.name, lang)} — {localized(app.summary, lang)}\n{link}"


class AppPage(QScrollArea):
    """Signals: ``back()`` the user wants to leave the page."""

    back = Signal()

    def __init__(self, controller: Controller, installs: InstallController, images: ImageLoader,
                 lang: str) -> None:
        super().__init__()
        self.controller = controller
        self.installs = installs
        self.images = images
        self.lang = lang
        self.listing: Listing | None = None
        self._app: App | None = None
        self.setWidgetResizable(True)
        self._thumbs: dict[str, QLabel] = {}
        self._icon_label: QLabel | None = None
        self._opened = QElapsedTimer()  # since the user opened the page (see ``_settled``)
        self._browsing: App | None = None  # the app whose browse is recorded when the page is left
        images.loaded.connect(self._image_loaded)

    # -- building ----------------------------------------------------------------------------
    def show_app(self, listing: Listing, view: CatalogView, *, opened: bool = True) -> None:
        """Show ``listing``. ``opened``: the user opened it (the ``browse`` activity), rather
        than the page being redrawn for a refreshed catalogue."""
        if opened:
            self.finish_browse()  # the app shown before
        self.listing = listing
        # the App the page is built from (``listing.app`` may make another one later)
        self._app = listing.app
        scroll = self.verticalScrollBar().value()
        self._build(self._app, view)
        self.verticalScrollBar().setValue(0 if opened else scroll)
        if opened:
            self._opened.start()
            self._browsing = listing.app

    def finish_browse(self) -> None:
        """Record the ``browse`` of the app shown, with how long it was on screen (the store's
        policy pays for a browse only past a number of seconds)."""
        app, self._browsing = self._browsing, None
        if app is not None and self._opened.isValid():
            self.controller.record(Activity.BROWSE, app, seconds=int(self._opened.elapsed() // 1000))

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.finish_browse()  # another page, or the window closing
        super().hideEvent(event)

    def _settled(self) -> bool:
        """False just after the page opened: the second click of a double-click on an app card
        lands here, and must not open a screenshot or a link that happens to be under it."""
        return not self._opened.isValid() or self._opened.elapsed() > QApplication.doubleClickInterval()

    def _open_link(self, url: str) -> None:
        """A link (description, website) was clicked: open it if it is http(s)."""
        if self._settled():
            open_link(url)

    def _build(self, app: App, view: CatalogView) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 18, 32, 32)
        col.setSpacing(16)

        back = QPushButton(self.tr("‹ Back"))
        back.setObjectName("link")
        back.clicked.connect(self.back)
        col.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)

        col.addLayout(self._build_header(app))
        col.addWidget(self._facts(app, view))
        scroller = self._build_screenshots(app)
        if scroller is not None:
            col.addWidget(scroller)
        col.addWidget(self._build_description(app))
        self._build_details(col, app)
        col.addWidget(section_title(self.tr("Source")))
        col.addWidget(self._source(app, view))
        col.addStretch(1)
        self.setWidget(page)

    def _build_header(self, app: App) -> QHBoxLayout:
        """Icon, name, developer and summary; install actions and Share."""
        lang = self.lang
        head = QHBoxLayout()
        head.setSpacing(20)
        self._icon_label = QLabel()
        self._icon_label.setFixedSize(96, 96)
        self._set_icon()
        head.addWidget(self._icon_label, 0, Qt.AlignmentFlag.AlignTop)
        info = QVBoxLayout()
        info.setSpacing(4)
        name = plain_label(localized(app.name, lang))
        name.setObjectName("appName")
        name.setWordWrap(True)
        developer = plain_label(app.developer)
        developer.setProperty("muted", True)
        summary = plain_label(localized(app.summary, lang))
        summary.setWordWrap(True)
        info.addWidget(name)
        info.addWidget(developer)
        info.addWidget(summary)
        info.addStretch(1)
        head.addLayout(info, 1)
        actions = QVBoxLayout()
        self.app_actions = AppActions(self.installs, app, lang)
        actions.addWidget(self.app_actions)
        share = QPushButton(self.tr("Share"))
        share.setToolTip(self.tr("Copy a link to this app"))
        share.clicked.connect(self.share)
        self.share_button = share
        self.share_note = plain_label()
        self.share_note.setProperty("muted", True)
        actions.addWidget(share)
        actions.addWidget(self.share_note)
        actions.addStretch(1)
        head.addLayout(actions)
        return head

    def _build_screenshots(self, app: App) -> QScrollArea | None:
        """A strip of thumbnails (None: the app has no screenshots)."""
        # the UI language's set when the store has one (the DApp speaks it), else the default
        self._thumbs = {}
        shots = app.screenshots_for(self.lang)
        if not shots:
            return None
        strip = QHBoxLayout()
        strip.setSpacing(12)
        for i, target in enumerate(shots):
            thumb = ClickableLabel()
            thumb.setFixedSize(320, 200)
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
            thumb.setObjectName("card")
            thumb.setCursor(Qt.CursorShape.PointingHandCursor)
            thumb.setToolTip(self.tr("Show larger"))
            thumb.clicked.connect(lambda i=i: self.open_viewer(i))
            self._thumbs[target] = thumb
            self._set_thumb(target)
            strip.addWidget(thumb)
        strip.addStretch(1)
        holder = QWidget()
        holder.setLayout(strip)
        scroller = QScrollArea()
        scroller.setWidget(holder)
        scroller.setWidgetResizable(True)
        scroller.setFixedHeight(224)
        scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroller

    def _build_description(self, app: App) -> QLabel:
        """Sanitised HTML (only a few tags, only http(s) links), read in a worker when on disk."""
        lang = self.lang
        desc = QLabel()
        desc.setTextFormat(Qt.TextFormat.RichText)
        desc.setWordWrap(True)
        self._description = desc
        text = app.description
        if getattr(text, "loaded", True):
            desc.setText(to_html(localized(text, lang)))
        else:  # kept on disk until first read: read it in a worker, not on the GUI thread
            def read(ctx: JobContext) -> str:
                return to_html(localized(text, lang))

            self.controller.jobs.submit(read, lane="io", title="read description",
                                        on_done=partial(self._show_description, app))
        desc.setOpenExternalLinks(False)
        desc.linkActivated.connect(self._open_link)
        desc.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        return desc

    def _build_details(self, col: QVBoxLayout, app: App) -> None:
        """What's new in the latest release, and the permissions the app asks for."""
        lang = self.lang
        if app.latest is not None:
            col.addWidget(section_title(self.tr("What’s new")))
            rel = app.latest
            what = plain_label(self.tr("Version %1 · %2").replace("%1", rel.version).replace("%2", rel.date))
            what.setProperty("muted", True)
            col.addWidget(what)
            changes = plain_label(localized(rel.changelog, lang))
            changes.setWordWrap(True)
            col.addWidget(changes)

        col.addWidget(section_title(self.tr("Permissions")))
        # unknown: what a newer store format asks for and this version cannot grant
        perms = (*app.permissions, *app.unknown_permissions)
        if perms:
            for perm in perms:
                row = plain_label("•  " + texts.permission(perm, lang))
                row.setWordWrap(True)
                col.addWidget(row)
        else:
            col.addWidget(plain_label(self.tr("This app asks for no special permissions.")))

    def _show_description(self, app: App, html: str) -> None:
        if self.listing is not None and self._app is app:
            self._description.setText(html)

    def _facts(self, app: App, view: CatalogView) -> QFrame:
        box = QFrame()
        box.setObjectName("card")
        grid = QGridLayout(box)
        grid.setContentsMargins(18, 12, 18, 12)
        grid.setHorizontalSpacing(36)
        cats = ", ".join(localized(view.categories[c], self.lang) if c in view.categories else c
                         for c in app.categories)
        rel = app.latest
        facts = [
            (self.tr("Version"), rel.version if rel else self.tr("Web link")),
            (self.tr("Download size"), texts.size(rel.size) if rel else "—"),
            (self.tr("Updated"), rel.date if rel else "—"),
            (self.tr("Category"), cats),
            (self.tr("License"), app.license),
        ]
        for i, (label, value) in enumerate(facts):
            top = plain_label(label)
            top.setProperty("muted", True)
            val = plain_label(value)
            f = val.font()
            f.setWeight(f.Weight.Bold)  # 700: Chinese gets a synthetic bold too
            val.setFont(f)
            grid.addWidget(top, 0, i)
            grid.addWidget(val, 1, i)
        return box

    def _source(self, app: App, view: CatalogView) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        names = view.store_names.get(app.store)
        store_name = localized(names, self.lang) if names else app.store
        outcome = next((o for o in self.controller.status.outcomes if o.store_id == app.store), None)
        rows: list[tuple[str, QLabel]] = [
            (self.tr("Developer"), plain_label(app.developer)),
            (self.tr("Store"), plain_label(f"{store_name} ({app.store})")),
            (self.tr("Verification"), plain_label(self._verification(outcome))),
        ]
        if app.website:  # a link only if it is a plain http(s) URL; else shown as text
            rows.insert(1, (self.tr("Website"), link_label(app.website, on_link=self._open_link)))
        if app.url:
            rows.insert(1, (self.tr("Opens"), plain_label(app.url)))
        for i, (k, val) in enumerate(rows):
            key = plain_label(k)
            key.setProperty("muted", True)
            val.setWordWrap(True)
            grid.addWidget(key, i, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(val, i, 1)
        grid.setColumnStretch(1, 1)
        return box

    def _verification(self, outcome: RefreshOutcome | None) -> str:
        if outcome is None:
            return self.tr("Not checked yet")
        age = texts.age(outcome.verified_at, self.lang)
        if outcome.error is None:
            return self.tr("✓ Signed by the store and verified %1").replace("%1", age)
        return self.tr("⚠ The store could not be checked just now; this is what was verified %1"
                       ).replace("%1", age)

    # -- images ------------------------------------------------------------------------------
    def _set_icon(self) -> None:
        if self.listing is None or self._icon_label is None:
            return
        app = self.listing.app
        pix = self.images.pixmap(app.store, app.icon, ICON)
        if pix is not None:
            self._icon_label.setPixmap(pix.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation))

    def _set_thumb(self, target: str) -> None:
        if self.listing is None:
            return
        pix = self.images.pixmap(self.listing.app.store, target, THUMB, kind="screenshot")
        label = self._thumbs.get(target)
        if label is not None:
            label.setPixmap(pix.scaled(320, 200, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
                            if pix else QPixmap())
            if pix is None:
                label.setText(self.tr("Loading…"))

    def _image_loaded(self, key: str) -> None:
        if self.listing is None:
            return
        app = self.listing.app
        if key == image_key(app.store, app.icon, ICON):
            self._set_icon()
        for target in self._thumbs:
            if key == image_key(app.store, target, THUMB):
                self._set_thumb(target)

    def open_viewer(self, i: int) -> None:
        if self.listing is not None and self._settled():
            app = self.listing.app
            ScreenshotViewer(self.images, app, i, self, shots=app.screenshots_for(self.lang)).open()

    # -- share -------------------------------------------------------------------------------
    def share(self) -> None:
        """Copy a link and a short text, and count it as the ``forward`` activity."""
        if self.listing is None:
            return
        app = self.listing.app
        QGuiApplication.clipboard().setText(share_text(app, self.lang))
        self.share_note.setText(self.tr("Link copied"))
        QTimer.singleShot(4000, self.share_note, self.share_note.clear)
        self.controller.record(Activity.FORWARD, app)
