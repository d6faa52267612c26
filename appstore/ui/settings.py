"""Settings: the stores (status, add, remove, refresh), the DApps connected to the wallet,
language, theme, the tray and notifications (``settingsdesktop``), where data lives."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import localized
from appstore.core.store.client import RefreshOutcome
from appstore.ui import texts
from appstore.ui.addstore import AddStoreDialog
from appstore.ui.controller import Controller, StoreStatus
from appstore.ui.desktopoptions import DesktopOptions
from appstore.ui.settingsdesktop import DesktopSettings
from appstore.ui.widgets import clear_layout, section_title, wheel_scrolls_page

if TYPE_CHECKING:
    from appstore.ui.host.walletaccess import WalletAccess

LANGUAGES = (("en", "English"), ("zh_CN", "简体中文"))


class SettingsPage(QScrollArea):
    """Signals: ``language_chosen(str)``, ``theme_chosen(str)``."""

    language_chosen = Signal(str)
    theme_chosen = Signal(str)

    def __init__(self, controller: Controller, lang: str, theme_choice: str,
                 wallet_access: WalletAccess | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.controller = controller
        self.lang = lang
        self.wallet_access = wallet_access
        self.setWidgetResizable(True)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 18, 32, 32)
        col.setSpacing(14)
        title = QLabel(self.tr("Settings"))
        title.setObjectName("pageTitle")
        col.addWidget(title)

        self._build_stores(col)
        self._build_look(col, theme_choice, settings)
        self._build_data(col)
        col.addStretch(1)
        self.setWidget(page)

        controller.status_changed.connect(self.show_status)
        controller.ready.connect(self._ready)
        self._ready()
        self.show_status(controller.status)
        if wallet_access is not None:
            wallet_access.connections_changed.connect(self.load_connections)
            controller.catalog_changed.connect(lambda _: self.show_connections(self.connections))

    # -- building (once, in __init__) --------------------------------------------------

    def _build_stores(self, col: QVBoxLayout) -> None:
        """The stores (Refresh all, Add store…) and the DApps connected to the wallet."""
        head = QHBoxLayout()
        stores_title = section_title(self.tr("Stores"))
        head.addWidget(stores_title)
        head.addStretch(1)
        self.refresh_all = QPushButton(self.tr("Refresh all"))
        self.refresh_all.clicked.connect(lambda: self.controller.refresh())
        add = QPushButton(self.tr("Add store…"))
        add.setObjectName("primary")
        add.clicked.connect(self.add_store)
        head.addWidget(self.refresh_all)
        head.addWidget(add)
        col.addLayout(head)
        self.stores_box = QVBoxLayout()
        self.stores_box.setSpacing(8)
        col.addLayout(self.stores_box)

        col.addWidget(section_title(self.tr("DApps connected to your wallet")))
        self.connections_box = QVBoxLayout()
        self.connections_box.setSpacing(8)
        col.addLayout(self.connections_box)
        self.connections: list[Any] = []

    def _build_look(self, col: QVBoxLayout, theme_choice: str, settings: QSettings | None) -> None:
        """Language, theme and (with ``settings``) the desktop options."""
        look = section_title(self.tr("Language and appearance"))
        col.addWidget(look)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.lang)))
        self.language.currentIndexChanged.connect(
            lambda _: self.language_chosen.emit(self.language.currentData()))
        self.theme = QComboBox()
        for code, name in (("system", self.tr("Follow the system")), ("light", self.tr("Light")),
                           ("dark", self.tr("Dark"))):
            self.theme.addItem(name, code)
        self.theme.setCurrentIndex(max(0, self.theme.findData(theme_choice)))
        self.theme.currentIndexChanged.connect(lambda _: self.theme_chosen.emit(self.theme.currentData()))
        wheel_scrolls_page(self.language, self.theme)
        for text, field in ((self.tr("Language"), self.language), (self.tr("Theme"), self.theme)):
            label = QLabel(text)  # as high as its drop-down, its text centred on the drop-down's
            label.setMinimumHeight(field.sizeHint().height())
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            form.addRow(label, field)
        col.addLayout(form)
        self.desktop: DesktopSettings | None = None
        if settings is not None:
            self.desktop = DesktopSettings(DesktopOptions(settings))
            col.addWidget(self.desktop)

    def _build_data(self, col: QVBoxLayout) -> None:
        """Where imapp keeps its files."""
        data = section_title(self.tr("Your data"))
        col.addWidget(data)
        self.data_path = QLabel()
        self.data_path.setObjectName("mono")
        self.data_path.setWordWrap(True)
        open_folder = QPushButton(self.tr("Open folder"))
        open_folder.clicked.connect(self._open_data)
        row = QHBoxLayout()
        row.addWidget(self.data_path, 1)
        row.addWidget(open_folder)
        col.addLayout(row)
        note = QLabel(self.tr("Everything imapp keeps — stores, catalogues, settings — is in this "
                              "folder. Start imapp with --data-dir to use another one."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        col.addWidget(note)

    def _ready(self) -> None:
        if self.controller.services is not None:
            self.data_path.setText(str(self.controller.services.paths.root))
            self.load_connections()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.load_connections()  # (a DApp may have connected since)

    def _open_data(self) -> None:
        if self.controller.services is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.controller.services.paths.root)))

    def show_status(self, status: StoreStatus) -> None:
        clear_layout(self.stores_box)
        self.refresh_all.setEnabled(not (status.refreshing and status.refreshing_ids is None))
        services = self.controller.services
        if services is None:
            self.stores_box.addWidget(QLabel(self.tr("Loading…")))
            return
        outcomes = {o.store_id: o for o in status.outcomes}
        names = self.controller.view.store_names if self.controller.view else {}
        if not services.stores.config.stores:
            empty = QLabel(self.tr("No stores. Add one to see apps."))
            empty.setProperty("muted", True)
            self.stores_box.addWidget(empty)
        for entry in services.stores.config.stores:
            outcome = outcomes.get(entry.id)
            card = QFrame()
            card.setObjectName("card")
            row = QHBoxLayout(card)
            row.setContentsMargins(16, 10, 12, 10)
            text = QVBoxLayout()
            name = names.get(entry.id)
            title = QLabel(f"<b>{html.escape(localized(name, self.lang) if name else entry.id)}</b>"
                           f"  <span style='color:gray'>({html.escape(entry.id)})</span>")
            title.setTextFormat(Qt.TextFormat.RichText)
            url = QLabel(entry.mirrors[0] if not entry.builtin else self.tr("Built-in demo store"))
            url.setTextFormat(Qt.TextFormat.PlainText)
            url.setProperty("muted", True)
            state = QLabel(self._state_text(outcome, status.is_refreshing(entry.id)))
            state.setTextFormat(Qt.TextFormat.PlainText)
            state.setWordWrap(True)
            fp = QLabel(self.tr("Fingerprint: %1…").replace("%1", entry.root_sha256[:16]))
            fp.setObjectName("mono")
            fp.setToolTip(entry.root_sha256)
            for w in (title, url, state, fp):
                text.addWidget(w)
            row.addLayout(text, 1)
            refresh = QPushButton(self.tr("Refresh"))
            refresh.setEnabled(not status.is_refreshing(entry.id))
            refresh.clicked.connect(lambda _=False, sid=entry.id: self.controller.refresh(sid))
            remove = QPushButton(self.tr("Remove"))
            remove.clicked.connect(lambda _=False, sid=entry.id: self.remove_store(sid))
            row.addWidget(refresh)
            row.addWidget(remove)
            self.stores_box.addWidget(card)

    def load_connections(self) -> None:
        """Read the connected DApps (on a worker) and show them."""
        if self.wallet_access is not None and self.controller.services is not None:
            self.wallet_access.connections(self.show_connections)
        else:
            self.show_connections([])

    def show_connections(self, connections: list[Any]) -> None:
        self.connections = connections
        clear_layout(self.connections_box)
        if not connections:
            empty = QLabel(self.tr("No DApp is connected. A DApp asks you before it can see your "
                                   "wallet address, and again before each signature or payment."))
            empty.setWordWrap(True)
            empty.setProperty("muted", True)
            self.connections_box.addWidget(empty)
            return
        view = self.controller.view
        for c in connections:
            app_name = view.app_name(c.store, c.app_id, self.lang) if view is not None else None
            store_names = view.store_names.get(c.store) if view is not None else None
            card = QFrame()
            card.setObjectName("card")
            row = QHBoxLayout(card)
            row.setContentsMargins(16, 10, 12, 10)
            text = QVBoxLayout()
            title = QLabel(f"<b>{html.escape(app_name or c.app_id)}</b>  <span style='color:gray'>"
                           f"({html.escape(localized(store_names, self.lang) if store_names else c.store)})"
                           "</span>")
            title.setTextFormat(Qt.TextFormat.RichText)
            since = QLabel(self.tr("Sees %1 · connected %2").replace("%1", c.account).replace(
                "%2", texts.age(c.since)))
            since.setProperty("muted", True)
            since.setTextFormat(Qt.TextFormat.PlainText)
            text.addWidget(title)
            text.addWidget(since)
            row.addLayout(text, 1)
            revoke = QPushButton(self.tr("Disconnect"))
            revoke.setObjectName(f"disconnect:{c.key}")
            revoke.clicked.connect(lambda _=False, key=c.key: self.revoke_connection(key))
            row.addWidget(revoke)
            self.connections_box.addWidget(card)

    def revoke_connection(self, key: str) -> None:
        """Revoke DApp ``key``'s connection: at once for its open pages."""
        if self.wallet_access is not None:
            self.wallet_access.revoke(key)
            self.show_connections([c for c in self.connections if c.key != key])

    def _state_text(self, outcome: RefreshOutcome | None, refreshing: bool) -> str:
        if refreshing:
            return self.tr("Refreshing…")
        if outcome is None:
            return self.tr("Not checked yet")
        apps = len(outcome.catalog.apps) if outcome.catalog else 0
        if outcome.error is None:
            return self.tr("✓ Verified %1 · %2 apps").replace("%1", texts.age(outcome.verified_at)).replace(
                "%2", str(apps))
        if outcome.catalog is None:
            return self.tr("⚠ %1 — no verified catalogue yet").replace("%1", str(outcome.error))
        return self.tr("⚠ %1 — using the catalogue verified %2").replace("%1", str(outcome.error)).replace(
            "%2", texts.age(outcome.verified_at))

    def add_store(self) -> AddStoreDialog:
        dialog = AddStoreDialog(self.controller, self)
        dialog.open()
        return dialog

    def remove_store(self, store_id: str, confirm: bool = True) -> None:
        if confirm and QMessageBox.question(
            self, self.tr("Remove store"),
            self.tr("Remove the store “%1”? Its apps disappear from Discover.").replace("%1", store_id),
        ) != QMessageBox.StandardButton.Yes:
            return
        self.controller.remove_store(store_id)
