"""The core services, built once and handed to the GUI or the CLI (no globals)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from appstore.core.errors import AppStoreError, ConfigError, shorten
from appstore.core.logs import log, report_bug
from appstore.core.paths import Paths
from appstore.core.store.client import RefreshOutcome
from appstore.core.store.manager import IN_MEMORY_MAX, CatalogView, Stores

if TYPE_CHECKING:
    from appstore.core.activity import ActivityLog
    from appstore.core.games.games import Games
    from appstore.core.installs import Installs
    from appstore.core.news import News
    from appstore.core.rewards import Rewards
    from appstore.core.wallet.seedstore import PassphraseSource
    from appstore.core.wallet.wallet import Wallet


class EmbeddedService(Protocol):
    """An IA service running inside this process (``appstore.service.embedded``)."""

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


# Starts the built-in demo store's IA service from the demo store's folder (``Paths.demo_dir``).
# The fronts hand it in (``appstore.service.builtin.start_demo_service``): the core never
# imports the service, which is built on it.
EmbeddedStarter = Callable[[Path], EmbeddedService]

_EMBEDDED_LOCK = threading.Lock()
_MAKE_LOCK = threading.RLock()  # the parts made on first use (one may make another)


@dataclass
class Services:
    paths: Paths
    stores: Stores
    _activity: ActivityLog | None = field(default=None, repr=False)
    _installs: Installs | None = field(default=None, repr=False)
    _news: News | None = field(default=None, repr=False)
    autostart_downloads: bool = True  # the GUI resumes the last run's downloads; the CLI not
    _wallet: Wallet | None = field(default=None, repr=False)
    wallet_passphrase: PassphraseSource | None = None  # asks for the wallet file's passphrase
    _rewards: Rewards | None = field(default=None, repr=False)
    # None: no IA service runs in this process, so the demo store has none (its claims wait)
    start_embedded: EmbeddedStarter | None = field(default=None, repr=False)
    _embedded: EmbeddedService | None = field(default=None, repr=False)
    _games: Games | None = field(default=None, repr=False)
    _view: CatalogView | None = field(default=None, repr=False)  # the merged catalogue last built

    @property
    def activity(self) -> ActivityLog:
        """The journal of what the user did (opened when first read or written), made on first
        use: showing the catalogue does not wait for its code."""
        if self._activity is None:
            with _MAKE_LOCK:  # (workers may ask at once: one)
                if self._activity is None:
                    from appstore.core.activity import ActivityLog as Made  # loaded on first use

                    self._activity = Made(self.paths.activity_db)
        return self._activity

    @property
    def installs(self) -> Installs:
        """Getting apps (downloads, the library), made on first use: showing the catalogue
        does not wait for it."""
        if self._installs is None:
            with _MAKE_LOCK:  # (workers may ask at once: one of each)
                if self._installs is None:
                    from appstore.core.installs import Installs as Made  # loaded on first use

                    self._installs = Made(self.paths, self.stores, self.activity,
                                          autostart=self.autostart_downloads)
        return self._installs

    @property
    def news(self) -> News:
        """The news (store feeds, the user's feeds, read state), made on first use."""
        if self._news is None:
            with _MAKE_LOCK:  # (workers may ask at once: one of each)
                if self._news is None:
                    from appstore.core.news import News as Made  # loaded on first use

                    self._news = Made(self.paths, self.stores, self.activity)
        return self._news

    @property
    def wallet(self) -> Wallet:
        """The wallet (seed store, account, ledger), made on first use; reading it does not
        touch the seed."""
        if self._wallet is None:
            with _MAKE_LOCK:  # (workers may ask at once: one of each)
                if self._wallet is None:
                    from appstore.core.wallet.wallet import Wallet as Made  # loaded on first use

                    self._wallet = Made(self.paths, passphrase=self.wallet_passphrase,
                                        decimals=lambda store: self.rewards.decimals(store),
                                        trust=lambda store: self.rewards.trust(store))
        return self._wallet

    @property
    def rewards(self) -> Rewards:
        """Claims, re-sync, swaps: the wallet's side of the stores' IA services."""
        if self._rewards is None:
            with _MAKE_LOCK:  # (workers may ask at once: one of each)
                if self._rewards is None:
                    from appstore.core.rewards import Rewards as Made  # loaded on first use

                    self._rewards = Made(self.stores, self.activity, self.wallet, self.embedded_url)
        return self._rewards

    @property
    def games(self) -> Games:
        """The guessing games: rounds, stakes, checks; keeps the demo store's rounds running."""
        if self._games is None:
            with _MAKE_LOCK:  # (workers may ask at once: one of each)
                if self._games is None:
                    from appstore.core.games.games import Games as Made  # loaded on first use

                    self._games = Made(self.paths, self.stores, self.rewards)
        return self._games

    def embedded_url(self, store_id: str) -> str | None:
        """The URL of the IA service this process runs for ``store_id``: only the built-in demo
        store's service is embedded (started on first use by ``start_embedded``; a store that
        merely claims ``embedded:`` in its policy gets none)."""
        if not self.stores.is_builtin(store_id) or self.start_embedded is None:
            return None
        with _EMBEDDED_LOCK:
            if self._embedded is None:
                self._embedded = self.start_embedded(self.paths.demo_dir)
                log.info("the demo store's IA service runs at %s", self._embedded.url)
            return self._embedded.url

    @classmethod
    def open(cls, data_dir: str | None = None, *, demo: bool = True,
             on_warning: Callable[[str], None] | None = None,
             embedded: EmbeddedStarter | None = None) -> Services:
        """Open (creating if needed) a data dir; set up the demo store when none is configured.
        ``ConfigError`` if the data dir or ``stores.json`` cannot be used; a demo store that
        cannot be freshened is only a warning, given to ``on_warning``. ``embedded`` starts
        the demo store's IA service when first needed (``start_embedded``).

        Does disk I/O (and publishing, the first time): run it off the GUI thread.
        """
        paths = Paths.resolve(data_dir)
        paths.ensure()
        services = cls(paths, Stores(paths), start_embedded=embedded)
        if demo:
            warning = services.freshen_demo()
            if warning and on_warning is not None:
                on_warning(warning)
        return services

    def freshen_demo(self) -> str | None:
        """Set up the demo store on first run; afterwards re-publish it if its sources changed
        and re-sign what nears expiry (refreshing it when its content changed).

        A failure (damaged demo keys or files...) must not stop the other stores: it is logged
        and returned as a one-line warning to show; None when all went well."""
        from appstore.core.demo import ensure_demo, is_fresh

        try:
            if is_fresh(self.paths, self.stores):
                return None  # (what most starts find, known without loading the publisher)
        except Exception as e:  # a bug, but the demo store is no reason to stop the others
            return f"the demo store could not be updated: {report_bug(e, 'the demo store')}"
        from tuf.api.exceptions import RepositoryError

        try:
            changed = ensure_demo(self.paths, self.stores)
        except (AppStoreError, OSError, RepositoryError) as e:
            log.warning("the demo store could not be freshened: %s", e)
            return (f"the demo store could not be updated ({shorten(e, 300)}); the other stores "
                    "are not affected")
        except Exception as e:  # a bug, but the demo store is no reason to stop the others
            return f"the demo store could not be updated: {report_bug(e, 'the demo store')}"
        if changed:
            self.stores.refresh([s.id for s in self.stores.config.stores if s.builtin])
        return None

    def load_catalog(
        self, refresh: bool | Iterable[str] = False, *, index: bool = False
    ) -> tuple[CatalogView, list[RefreshOutcome]]:
        """The merged catalogue. ``refresh``: ask every store (True) or these stores first;
        the others give their last verified catalogue. ``index``: build the search index now,
        as a worker thread should, rather than on the first search.

        When no store's catalogue changed since the last call, the same ``CatalogView`` object
        is returned: callers compare identity to skip all work."""
        if refresh is True:
            outcomes = self.stores.refresh()
        elif refresh is False:
            outcomes = self.stores.cached()
        else:
            outcomes = self.stores.cached(refresh=refresh)
        if refresh is not False and self._rewards is not None:
            self._rewards.forget()  # a store may have signed a new policy
        catalogs = [o.catalog for o in outcomes if o.catalog is not None]
        view = self._view
        if view is None or not view.same_catalogs(catalogs):
            view = self._view = CatalogView(catalogs)
        # else: nothing changed (each client hands out the catalogue object it verified
        # before): the view, its index and whatever was built on it stay as they are
        if index:
            self._prepare_search(view)
        return view, outcomes

    def _prepare_search(self, view: CatalogView) -> None:
        """Make searching ``view`` ready: a big catalogue through each store's SQLite index
        (built once per verified catalogue), a small one in memory."""
        if view.searches_on_disk:
            return
        if sum(len(c.apps) for c in view.catalogs) > IN_MEMORY_MAX:
            indexes = []
            for cat in view.catalogs:
                try:
                    indexes.append(self.stores.client(cat.store).search_index())
                except ConfigError:  # removed meanwhile: searched in memory until the next load
                    indexes.append(None)
            if view.use_indexes(indexes):
                return
        view.index  # noqa: B018 - builds it (once per view)

    def add_store(self, urls: list[str], root_sha256: str | None = None,
                  confirm: Callable[[str], bool] | None = None) -> RefreshOutcome:
        """Trust a store (``Stores.add``); apps installed from a store of that id before get
        updates from it again."""
        outcome = self.stores.add(urls, root_sha256, confirm)
        self.installs.store_added(outcome.store_id)
        if self._rewards is not None:
            self._rewards.forget()
        return outcome

    def remove_store(self, store_id: str) -> None:
        """Forget a store; apps installed from it stay and keep working, without updates."""
        self.stores.remove(store_id)
        self.installs.store_removed(store_id)

    def close(self) -> None:
        """Pause downloads and close open databases (the app is quitting)."""
        if self._installs is not None:
            self._installs.close()
        if self._news is not None:
            self._news.close()
        if self._wallet is not None:
            self._wallet.close()
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None
        if self._activity is not None:
            self._activity.close()
