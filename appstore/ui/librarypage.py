"""Library: the apps installed on this computer, the updates waiting for them (with Update
all, which leaves an update that asks for more permissions to the user's review, and says so),
and Open and Uninstall for each."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from appstore.core.catalog.models import App, localized
from appstore.core.errors import NotFound
from appstore.core.library import InstalledApp, Update
from appstore.ui import texts
from appstore.ui.appactions import confirm_uninstall
from appstore.ui.consent import ConsentDialog, asks_for_more, review_update
from appstore.ui.controller import Controller
from appstore.ui.images import ImageLoader
from appstore.ui.installs import InstallController, Phase
from appstore.ui.widgets import clear_layout, plain_label, section_title

ICON = QSize(96, 96)


class LibraryRow(QFrame):
    """One installed app."""

    def __init__(self, page: LibraryPage, installed: InstalledApp, app: App | None) -> None:
        super().__init__()
        self.setObjectName("card")
        self.page, self.installed, self.app = page, installed, app
        self.consent: ConsentDialog | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 12, 10)
        row.setSpacing(14)
        self.icon = QLabel()
        self.icon.setFixedSize(48, 48)
        row.addWidget(self.icon)
        self.set_icon()
        col = QVBoxLayout()
        col.setSpacing(2)
        name = plain_label(localized(app.name, page.lang) if app else installed.app_id)
        f = name.font()
        f.setWeight(f.Weight.Bold)  # 700: Chinese names get a synthetic bold too
        name.setFont(f)
        facts = [self.tr("Version %1").replace("%1", installed.version),
                 self.tr("%1 on disk").replace("%1", texts.size(installed.size)),
                 self.tr("from %1").replace("%1", texts.store_name(page.controller.view, installed.store))]
        if installed.store_gone:
            facts.append(self.tr("its store was removed: no more updates"))
        self.facts = plain_label(" · ".join(facts))
        self.facts.setProperty("muted", True)
        self.facts.setWordWrap(True)
        col.addWidget(name)
        col.addWidget(self.facts)
        update = page.installs.updates.get(installed.id)
        state = page.installs.state(app) if app is not None else None
        busy = state is not None and state.phase not in (Phase.UPDATE, Phase.FAILED)
        self.asks = plain_label(asks_for_more(update) if update is not None and update.waits
                                and not busy else "")
        self.asks.setObjectName("danger")
        self.asks.setWordWrap(True)
        self.asks.setVisible(bool(self.asks.text()))
        col.addWidget(self.asks)
        row.addLayout(col, 1)
        if update is not None and app is not None:
            self.update_button = QPushButton(self.tr("Update to %1").replace("%1", update.available))
            self.update_button.setObjectName("primary")
            self.update_button.setEnabled(not busy)
            if busy:
                self.update_button.setText(self.tr("Updating…"))
            elif update.waits:  # it asks for more: the user reviews it first
                self.update_button.setText(self.tr("Review update"))
            self.update_button.clicked.connect(lambda: self.update_app(app, update))
            row.addWidget(self.update_button)
        self.open_button = QPushButton(self.tr("Open"))  # also when its store is gone
        self.open_button.clicked.connect(lambda: page.installs.open_installed(installed, app))
        self.uninstall_button = QPushButton(self.tr("Uninstall"))
        self.uninstall_button.clicked.connect(self.uninstall)
        row.addWidget(self.open_button)
        row.addWidget(self.uninstall_button)
        if app is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_icon(self) -> None:
        if self.app is None:
            return
        pix = self.page.images.pixmap(self.app.store, self.app.icon, ICON)
        if pix is not None:
            self.icon.setPixmap(pix.scaled(48, 48, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))

    def update_app(self, app: App, update: Update) -> None:
        if update.waits:
            self.consent = review_update(self, self.page.installs, app, update)
        else:
            self.page.installs.install(app)

    def uninstall(self) -> None:
        name = localized(self.app.name, self.page.lang) if self.app else self.installed.app_id
        keep = confirm_uninstall(self, name)
        if keep is not None:
            self.page.installs.uninstall(self.installed.store, self.installed.app_id, keep_data=keep)

    def mouseReleaseEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.button() == Qt.MouseButton.LeftButton and self.app is not None:
            self.page.open_app.emit(self.installed.id)
        super().mouseReleaseEvent(event)


class LibraryPage(QScrollArea):
    """Signals: ``open_app(str)`` the ref of an app whose page to show."""

    open_app = Signal(str)

    def __init__(self, controller: Controller, installs: InstallController, images: ImageLoader,
                 lang: str) -> None:
        super().__init__()
        self.controller, self.installs, self.images, self.lang = controller, installs, images, lang
        self.rows: list[LibraryRow] = []
        self.setWidgetResizable(True)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 18, 32, 32)
        col.setSpacing(12)
        title = QLabel(self.tr("Library"))
        title.setObjectName("pageTitle")
        col.addWidget(title)
        head = QHBoxLayout()
        self.updates_title = section_title("")
        head.addWidget(self.updates_title)
        head.addStretch(1)
        self.update_all = QPushButton(self.tr("Update all"))
        self.update_all.setObjectName("primary")
        self.update_all.clicked.connect(self._update_all)
        head.addWidget(self.update_all)
        col.addLayout(head)
        self.waiting = plain_label()  # the updates that wait for the user's consent
        self.waiting.setWordWrap(True)
        col.addWidget(self.waiting)
        self.updates_box = QVBoxLayout()
        self.updates_box.setSpacing(8)
        col.addLayout(self.updates_box)
        self.installed_title = section_title("")
        col.addWidget(self.installed_title)
        self.installed_box = QVBoxLayout()
        self.installed_box.setSpacing(8)
        col.addLayout(self.installed_box)
        self.empty = QLabel(self.tr("No apps installed yet. Find one in Discover and press "
                                    "Install; it keeps working offline."))
        self.empty.setWordWrap(True)
        self.empty.setProperty("muted", True)
        col.addWidget(self.empty)
        col.addStretch(1)
        self.setWidget(page)
        installs.library_changed.connect(self.rebuild)
        installs.changed.connect(self._changed)
        images.loaded.connect(self._image_loaded)
        self.rebuild()

    def _app(self, ref: str) -> App | None:
        view = self.controller.view
        if view is None:
            return None
        try:
            return view.find(ref).app
        except NotFound:
            return None

    def rebuild(self) -> None:
        clear_layout(self.updates_box)
        clear_layout(self.installed_box)
        self.rows = []
        installed = sorted(self.installs.installed.values(),
                           key=lambda a: (localized(a_app.name, self.lang).lower()
                                          if (a_app := self._app(a.id)) else a.app_id))
        with_update = [a for a in installed if a.id in self.installs.updates]
        for a in with_update:
            row = LibraryRow(self, a, self._app(a.id))
            self.rows.append(row)
            self.updates_box.addWidget(row)
        for a in installed:
            if a.id not in self.installs.updates:
                row = LibraryRow(self, a, self._app(a.id))
                self.rows.append(row)
                self.installed_box.addWidget(row)
        n_up = len(with_update)
        self.updates_title.setText(self.tr("%n update(s) available", "", n_up))
        self.updates_title.setVisible(bool(n_up))
        waiting = [u for u in self.installs.updates.values() if u.waits]
        self.update_all.setVisible(n_up > len(waiting))
        self._say_waiting(waiting)
        self.installed_title.setText(self.tr("%n app(s) installed", "", len(installed)))
        self.installed_title.setVisible(bool(installed))
        self.empty.setVisible(not installed)

    def _update_all(self) -> None:
        """Update what asks for nothing more; say which updates wait for consent."""
        self._say_waiting(self.installs.update_all())

    def _say_waiting(self, waiting: list[Update]) -> None:
        names = [localized(app.name, self.lang) if (app := self._app(u.id)) else u.app_id
                 for u in waiting]
        sep = "、" if self.lang == "zh_CN" else ", "
        self.waiting.setText(self.tr("%n update(s) wait for your consent: %1. Review each one to "
                                     "update it.", "", len(waiting)).replace("%1", sep.join(names)))
        self.waiting.setVisible(bool(waiting))

    def _changed(self, key: str) -> None:
        if key and any(r.installed.id == key for r in self.rows if key in self.installs.updates):
            self.rebuild()  # an update started or failed: the button says so

    def _image_loaded(self, _: str) -> None:
        for row in self.rows:
            row.set_icon()
