"""The main window's pages and controllers made on first use (a start builds Discover alone):
each is made, connected and added to the window's stack when first asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings, SignalInstance
    from PySide6.QtWidgets import QStackedWidget

    from appstore.ui.apppage import AppPage
    from appstore.ui.controller import Controller
    from appstore.ui.downloadspage import DownloadsPage
    from appstore.ui.games import GamesController
    from appstore.ui.gamespage import GamesPage
    from appstore.ui.images import ImageLoader
    from appstore.ui.installs import InstallController
    from appstore.ui.librarypage import LibraryPage
    from appstore.ui.newsmodel import NewsController
    from appstore.ui.newspage import NewsPage
    from appstore.ui.settings import SettingsPage
    from appstore.ui.wallet import WalletController
    from appstore.ui.walletpage import WalletPage


class PagesOnFirstUse:
    """``MainWindow``'s pages and controllers, each made when first asked for (a mixin: the
    window's own attributes and methods, named below)."""

    if TYPE_CHECKING:
        controller: Controller
        installs: InstallController
        images: ImageLoader
        settings: QSettings
        lang: str
        theme_choice: str
        stack: QStackedWidget
        language_chosen: SignalInstance
        theme_chosen: SignalInstance
        _came_from: str
        _wallet: WalletController | None
        _news: NewsController | None
        _games: GamesController | None
        _app_page: AppPage | None
        _library_page: LibraryPage | None
        _downloads_page: DownloadsPage | None
        _wallet_page: WalletPage | None
        _settings_page: SettingsPage | None
        _news_page: NewsPage | None
        _games_page: GamesPage | None

        def show_page(self, page: str) -> None: ...
        def open_ref(self, ref: str) -> None: ...
        def open_link(self, url: str) -> None: ...
        def _notice(self, text: str) -> None: ...
        def _news_badge(self, unread: int) -> None: ...

    def _pages_unmade(self) -> None:
        """None is made yet (the window's ``__init__``, before anything asks for one)."""
        self._wallet = self._news = self._games = None
        self._app_page = self._library_page = self._downloads_page = None
        self._wallet_page = self._settings_page = self._news_page = self._games_page = None

    def _me(self) -> QMainWindow:
        return cast(QMainWindow, self)  # (the window: the parent of what it makes)

    @property
    def wallet(self) -> WalletController:
        if self._wallet is None:
            from appstore.ui.wallet import WalletController

            wallet = self._wallet = WalletController(self.controller, self._me())
            wallet.notice.connect(self._notice)
            wallet.changed.connect(lambda snapshot: self.installs.account_seen(snapshot.address))
        return self._wallet

    @property
    def news(self) -> NewsController:
        if self._news is None:
            from appstore.ui.newsmodel import NewsController

            self._news = NewsController(self.controller, self._me())
            self._news.unread_changed.connect(self._news_badge)
        return self._news

    @property
    def games(self) -> GamesController:
        """(It also keeps the demo store's rounds running.)"""
        if self._games is None:
            from appstore.ui.games import GamesController

            self._games = GamesController(self.controller, self._me())
            self._games.notice.connect(self._notice)
        return self._games

    @property
    def app_page(self) -> AppPage:
        if self._app_page is None:
            from appstore.ui import apppage

            self._app_page = apppage.AppPage(self.controller, self.installs, self.images, self.lang)
            self._app_page.back.connect(lambda: self.show_page(self._came_from))
            self.stack.addWidget(self._app_page)
        return self._app_page

    @property
    def library_page(self) -> LibraryPage:
        if self._library_page is None:
            from appstore.ui import librarypage

            self._library_page = librarypage.LibraryPage(self.controller, self.installs, self.images,
                                                         self.lang)
            self._library_page.open_app.connect(self.open_ref)
            self.stack.addWidget(self._library_page)
        return self._library_page

    @property
    def downloads_page(self) -> DownloadsPage:
        if self._downloads_page is None:
            from appstore.ui import downloadspage

            self._downloads_page = downloadspage.DownloadsPage(self.controller, self.installs,
                                                               self.images, self.lang)
            self.stack.addWidget(self._downloads_page)
        return self._downloads_page

    @property
    def wallet_page(self) -> WalletPage:
        if self._wallet_page is None:
            from appstore.ui import walletpage

            self._wallet_page = walletpage.WalletPage(self.controller, self.wallet, self.lang)
            self.stack.addWidget(self._wallet_page)
        return self._wallet_page

    @property
    def settings_page(self) -> SettingsPage:
        if self._settings_page is None:
            from appstore.ui import settings

            self._settings_page = settings.SettingsPage(self.controller, self.lang, self.theme_choice,
                                                        self.installs.wallet_access, self.settings)
            self._settings_page.language_chosen.connect(self.language_chosen)
            self._settings_page.theme_chosen.connect(self.theme_chosen)
            self.stack.addWidget(self._settings_page)
        return self._settings_page

    @property
    def news_page(self) -> NewsPage:
        if self._news_page is None:
            from appstore.ui import newspage

            self._news_page = newspage.NewsPage(self.news, self.lang)
            self._news_page.open_link.connect(self.open_link)
            self._news_page.notice.connect(self._notice)
            self.stack.addWidget(self._news_page)
        return self._news_page

    @property
    def games_page(self) -> GamesPage:
        if self._games_page is None:
            from appstore.ui import gamespage

            self._games_page = gamespage.GamesPage(self.games, self.lang)
            self.stack.addWidget(self._games_page)
        return self._games_page
