"""The main window: navigation, pages, error banner and status bar."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import localized
from appstore.core.errors import NotFound
from appstore.core.store.manager import CatalogView
from appstore.ui import texts
from appstore.ui.controller import Controller, StoreStatus
from appstore.ui.discover import DiscoverPage
from appstore.ui.images import ImageLoader
from appstore.ui.installs import InstallController
from appstore.ui.mainpages import PagesOnFirstUse
from appstore.ui.models import AppListModel
from appstore.ui.widgets import Banner

# areas that work; later issues add theirs
PAGES = ("discover", "library", "downloads", "wallet", "news", "games", "settings")


def _glyph_icon(glyph: str) -> QIcon:
    icon = QIcon()
    for color, mode in (("#7a8599", QIcon.Mode.Normal), ("#ffffff", QIcon.Mode.Selected)):
        pix = QPixmap(64, 64)
        pix.fill(QColor(0, 0, 0, 0))
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        f = p.font()
        f.setPixelSize(44)
        p.setFont(f)
        p.setPen(QColor(color))
        p.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, glyph)
        p.end()
        icon.addPixmap(pix, mode)
    return icon


def placeholder_icon() -> QPixmap:
    pix = QPixmap(112, 112)
    pix.fill(QColor(0, 0, 0, 0))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(128, 140, 160, 60))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(4, 4, 104, 104, 24, 24)
    p.end()
    return pix


class MainWindow(QMainWindow, PagesOnFirstUse):
    """Signals: ``language_chosen(str)``, ``theme_chosen(str)`` (the app applies them)."""

    language_chosen = Signal(str)
    theme_chosen = Signal(str)

    def __init__(self, controller: Controller, installs: InstallController, settings: QSettings,
                 lang: str, theme_choice: str) -> None:
        super().__init__()
        self.controller = controller
        self.installs = installs
        self.settings = settings
        self.lang = lang
        self.theme_choice = theme_choice
        self.images = ImageLoader(controller)
        # made on first use: the news below, the wallet and the games by start_side_work
        self._pages_unmade()
        # The app's controllers outlive this window (a language switch makes a new one): what
        # they say goes to this window's methods, so the connections end with it.
        installs.wallet_changed.connect(self._wallet_changed)
        self.model = AppListModel(self.images, lang, placeholder_icon(), installs)
        self.setWindowTitle("imapp")
        self.setMinimumSize(880, 600)
        self._pending_ref: str | None = None
        self._came_from = "discover"
        self._pending_open: str | None = None  # an imapp://open/ link waiting for the library
        self._build()
        self.news  # noqa: B018 - made now (its unread badge; the others by start_side_work)
        controller.catalog_changed.connect(self._catalog_changed)
        controller.status_changed.connect(self._status_changed)
        controller.failed.connect(self._failed)
        installs.failed.connect(self._install_failed)
        installs.library_changed.connect(self._update_badges)
        installs.library_changed.connect(self._try_open)
        installs.downloads_changed.connect(self._update_badges)
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1240, 840)
        if controller.view is not None:
            self._catalog_changed(controller.view)

    def _wallet_changed(self) -> None:
        self.wallet.load(create=False)

    def _failed(self, message: str) -> None:
        self.banner.show_message(message)

    def _install_failed(self, message: str) -> None:
        self.banner.show_message(message, can_retry=False)

    def _build(self) -> None:
        nav = QWidget()
        nav.setObjectName("nav")
        nav.setFixedWidth(208)
        nav_col = QVBoxLayout(nav)
        nav_col.setContentsMargins(0, 0, 0, 12)
        brand = QLabel("imapp")
        brand.setObjectName("brand")
        nav_col.addWidget(brand)
        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        self.nav_labels = {"discover": self.tr("Discover"), "library": self.tr("Library"),
                           "news": self.tr("News"), "games": self.tr("Games"),
                           "downloads": self.tr("Downloads"), "wallet": self.tr("Wallet"),
                           "settings": self.tr("Settings")}
        glyphs = {"discover": "◎", "library": "▦", "downloads": "⤓", "wallet": "◈", "news": "▤",
                  "games": "◆", "settings": "⚙"}
        for key in PAGES:
            glyph, label = glyphs[key], self.nav_labels[key]
            item = QListWidgetItem(_glyph_icon(glyph), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._nav_changed)
        # on an app page the sidebar keeps the page it came from chosen: a click on it goes back
        self.nav.itemClicked.connect(lambda item: self._nav_changed(self.nav.row(item)))
        nav_col.addWidget(self.nav, 1)

        self.discover = DiscoverPage(self.images, self.model, self.lang)
        self.discover.open_app.connect(self.open_ref)
        self.discover.grid.card_action.connect(self._card_action)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.discover)

        self.banner = Banner()
        self.banner.retry.connect(self._retry)
        content = QWidget()
        content_col = QVBoxLayout(content)
        content_col.setContentsMargins(0, 0, 0, 0)
        content_col.setSpacing(0)
        banner_box = QHBoxLayout()
        banner_box.setContentsMargins(16, 10, 16, 0)
        banner_box.addWidget(self.banner)
        content_col.addLayout(banner_box)
        content_col.addWidget(self.stack, 1)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(nav)
        row.addWidget(content, 1)
        self.setCentralWidget(central)
        # keyboard: Ctrl+F searches, Alt+Left / Esc leave an app page, Ctrl+Q quits (with the
        # DApp windows: closing this window alone leaves them open)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.focus_search)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Quit), self, QApplication.quit,
                  context=Qt.ShortcutContext.ApplicationShortcut)  # from a DApp window too
        for keys in (QKeySequence(QKeySequence.StandardKey.Back), QKeySequence(Qt.Key.Key_Escape)):
            QShortcut(keys, self, self._back)

        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().setSizeGripEnabled(False)

    # -- what runs beside the pages ------------------------------------------------------------
    def start_side_work(self) -> None:
        """Make the wallet's and the games' controllers (the claims left from the last run, the
        demo store's rounds): ``DesktopApp`` calls this once the window has painted its first
        catalogue, which does not wait for their code. Asking for one makes it too."""
        self.wallet, self.games  # noqa: B018 - each is made on first use

    def _notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _news_badge(self, unread: int) -> None:
        """Unread news, counted beside the page's name."""
        item = self.nav.item(PAGES.index("news"))
        item.setText(f"{self.nav_labels['news']}  ({unread})" if unread else self.nav_labels["news"])

    # -- navigation --------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.show_page("discover")
        self.discover.search.setFocus()
        self.discover.search.selectAll()

    def _back(self) -> None:
        if self.current_page().startswith("app:"):
            self.show_page(self._came_from)

    def show_page(self, page: str) -> None:
        """``discover``, ``settings`` or ``app:REF``."""
        if page.startswith("app:"):
            self.open_ref(page[4:])
            return
        if page not in PAGES:
            page = "discover"
        self.nav.setCurrentRow(PAGES.index(page))
        self._nav_changed(PAGES.index(page))

    def current_page(self) -> str:
        page = self._app_page
        if page is not None and self.stack.currentWidget() is page and page.listing is not None:
            return "app:" + page.listing.ref
        return PAGES[max(0, self.nav.currentRow())]

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        page = PAGES[row]
        widget: QWidget
        if page == "library":
            widget = self.library_page
        elif page == "downloads":
            widget = self.downloads_page
        elif page == "wallet":
            widget = self.wallet_page
        elif page == "news":
            widget = self.news_page
        elif page == "games":
            widget = self.games_page
        elif page == "settings":
            widget = self.settings_page
        else:
            widget = self.discover
        self.stack.setCurrentWidget(widget)

    def _update_badges(self) -> None:
        """Updates waiting and downloads running, counted beside their pages' names."""
        updates = len(self.installs.updates)
        running = sum(1 for i in self.installs.downloads() if i.state.active)
        for key, n in (("library", updates), ("downloads", running)):
            item = self.nav.item(PAGES.index(key))
            item.setText(f"{self.nav_labels[key]}  ({n})" if n else self.nav_labels[key])

    def _card_action(self, ref: str) -> None:
        """The button on a card does what the app page's main button would."""
        view = self.controller.view
        if view is None:
            return
        try:
            self.installs.act(view.find(ref).app)
        except NotFound:
            return

    def open_ref(self, ref: str) -> None:
        """Open an app page by ``ID``, ``STORE/ID``; waits for the catalogue if needed."""
        view = self.controller.view
        if view is None:
            self._pending_ref = ref
            return
        try:
            listing = view.find(ref)
        except NotFound as e:
            if self.controller.loads_done < 2:  # the refreshed catalogue may still have it
                self._pending_ref = ref
                return
            self.banner.show_message(texts.error_text(e), can_retry=False)
            return
        self._pending_ref = None
        here = self.current_page()
        if not here.startswith("app:"):
            self._came_from = here  # where Back returns (Discover or the Library)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(PAGES.index(self._came_from))
        self.nav.blockSignals(False)
        self.app_page.show_app(listing, view)
        self.stack.setCurrentWidget(self.app_page)

    def open_link(self, url: str) -> None:
        """``imapp://app/STORE/ID`` (the app's page) and ``imapp://open/STORE/ID`` (the DApp
        itself) links, from the command line, ``open ID`` or a share."""
        for prefix, action in (("imapp://app/", self.open_ref), ("imapp://open/", self.open_dapp)):
            if url.startswith(prefix):
                parts = url[len(prefix):].strip("/").split("/")
                if len(parts) == 2 and all(parts):
                    action("/".join(parts))
                    return
        self.banner.show_message(
            self.tr("“%1” is not an imapp link. Links look like imapp://app/STORE/ID.")
            .replace("%1", url[:200]),
            can_retry=False)

    def _confirm_open(self, name: str) -> bool:
        """An imapp://open link comes from outside (a web page, another program): the user says
        whether the app really opens."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Open app"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("A link asks imapp to open “%1”. Open it?").replace("%1", name))
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        return box.exec() == QMessageBox.StandardButton.Open

    def open_dapp(self, ref: str) -> None:
        """Open an installed (or link) DApp in the host, once the catalogue and the library
        are known; an app not installed yet shows its page, where Install is."""
        self._pending_open = ref
        self._try_open()

    def _try_open(self) -> None:
        ref, view = self._pending_open, self.controller.view
        if ref is None or view is None or not self.installs.loaded:
            return
        try:
            app = view.find(ref).app
        except NotFound as e:
            orphan = self.installs.installed.get(ref)  # installed, its store removed
            if orphan is not None:
                self._pending_open = None
                if self._confirm_open(orphan.app_id):
                    self.installs.open_installed(orphan)
            elif self.controller.loads_done >= 2:
                self._pending_open = None
                self.banner.show_message(texts.error_text(e), can_retry=False)
            return
        self._pending_open = None
        if app.kind == "link" or self.installs.state(app).installed is not None:
            if self._confirm_open(localized(app.name, self.lang)):
                self.installs.open(app)
        else:
            self.open_ref(ref)
            self.banner.show_message(self.tr("“%1” is not installed yet: install it to open it.")
                                     .replace("%1", localized(app.name, self.lang)), can_retry=False)

    # -- data ----------------------------------------------------------------------------------
    def _catalog_changed(self, view: CatalogView) -> None:
        self.model.set_view(view)
        self.discover.set_view(view)
        if self._pending_ref:
            self.open_ref(self._pending_ref)
        elif (page := self._app_page) is not None and page.listing is not None \
                and self.stack.currentWidget() is page:
            try:
                page.show_app(view.find(page.listing.ref), view, opened=False)
            except NotFound:
                self.show_page("discover")

    def _status_changed(self, status: StoreStatus) -> None:
        if status.refreshing:
            self.status_label.setText(self.tr("Refreshing stores…"))
            return
        failures = status.failures
        if not status.outcomes:
            self.status_label.setText("")
        elif not failures:
            self.status_label.setText(self.tr("All stores up to date"))
            if self.controller.warning:
                self.banner.show_message(self.controller.warning, can_retry=False)
            else:
                self.banner.hide()
        else:
            verified = [o.verified_at for o in failures if o.catalog is not None and o.verified_at]
            if verified:
                self.status_label.setText(self.tr("Offline or failing: showing the catalogue "
                                                  "verified %1").replace("%1", texts.age(min(verified))))
            else:
                self.status_label.setText(self.tr("A store could not be checked, and has no verified "
                                                  "catalogue yet"))
            self.banner.show_message("\n".join(texts.error_text(o.error) for o in failures if o.error))

    def _retry(self) -> None:
        self.banner.hide()
        self.images.forget_failures()
        self.controller.refresh()

    # -- state -------------------------------------------------------------------------------
    def save_state(self) -> None:
        """Remember the window's size and page for the next start (written only if changed:
        writing the file costs a sync to disk, on the way out)."""
        for key, value in (("window/geometry", self.saveGeometry()), ("window/page", self.current_page())):
            if self.settings.value(key) != value:
                self.settings.setValue(key, value)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
