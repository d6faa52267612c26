"""All the stores a user trusts: add (with a pinned root), remove, refresh, and the merged view
of their catalogues."""

from __future__ import annotations

import hashlib
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from appstore.core.bulk import gc_paused
from appstore.core.catalog.cache import featured_of, ids_of
from appstore.core.catalog.index import Hits, IndexChanged, Ranks, StoreIndex
from appstore.core.catalog.models import App, Catalog, Localized, localized
from appstore.core.catalog.search import SearchIndex, sort_key
from appstore.core.errors import ConfigError, NotFound, StoreError, shorten
from appstore.core.paths import Paths
from appstore.core.store.client import RefreshOutcome, StoreClient
from appstore.core.store.config import (
    PENDING_PREFIX,
    StoreConfig,
    StoreEntry,
    check_store_url,
    host_of,
    normalise_fingerprint,
    now_iso,
)

if TYPE_CHECKING:
    from appstore.core.store.fetcher import Limits

Confirm = Callable[[str], bool]
# Up to this many apps a search runs in memory, at once (on the GUI thread, for small stores);
# bigger catalogues are searched through each store's SQLite index, in a worker.
IN_MEMORY_MAX = 2000
PENDING_MAX_AGE = 3600.0  # seconds; an add never takes this long (the fetcher's deadlines)


class Stores:
    """The configured stores. Methods do network and disk I/O: call them off the GUI thread."""

    def __init__(self, paths: Paths, *, limits: Limits | None = None) -> None:
        """``limits``: how long to wait for a store being added (default: the fetcher's)."""
        self.paths = paths
        self.limits = limits
        self.config = StoreConfig(paths)
        self._clients: dict[str, StoreClient] = {}
        self._clean_pending()

    def _clean_pending(self) -> None:
        """Remove what interrupted adds left behind (``stores/pending-*``). A folder touched in
        the last hour may be another process's add in progress: it stays."""
        try:
            leftovers = [p for p in self.paths.stores_dir.iterdir()
                         if p.name.startswith(PENDING_PREFIX)]
        except OSError:
            return
        for p in leftovers:
            try:
                if time.time() - p.lstat().st_mtime <= PENDING_MAX_AGE:
                    continue
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
            except OSError:
                continue

    def client(self, store_id: str) -> StoreClient:
        """The one client of a store in this process (it serialises its own I/O)."""
        entry = self.config.get(store_id)
        client = self._clients.get(entry.id)
        if client is None or client.entry is not entry:
            client = self._clients[entry.id] = StoreClient(entry, self.paths.store_dir(entry.id),
                                                          limits=self.limits)
        return client

    def add(
        self,
        urls: list[str],
        root_sha256: str | None = None,
        confirm: Confirm | None = None,
        *,
        builtin: bool = False,
    ) -> RefreshOutcome:
        """Pin a store's root and fetch its catalogue; nothing is saved unless all of it works.

        With ``root_sha256`` the fingerprint must match; without it ``confirm(fingerprint)``
        must return True (the GUI shows the fingerprint and asks).
        """
        if not urls:
            raise ConfigError("give the store's URL")
        pin = normalise_fingerprint(root_sha256) if root_sha256 is not None else None
        mirrors = list(dict.fromkeys(check_store_url(u) for u in urls))
        label = host_of(mirrors[0])  # what messages call the store until it has an id
        for s in self.config.stores:
            if set(s.mirrors) & set(mirrors):
                raise ConfigError(f"{label} is already added as store {s.id!r}")
        root = StoreClient.fetch_root(mirrors, where=label, limits=self.limits)
        fingerprint = hashlib.sha256(root).hexdigest()
        if pin is not None:
            StoreClient.check_pin(root, pin, label)
        elif confirm is None or not confirm(fingerprint):
            raise ConfigError("adding the store was cancelled: its fingerprint was not confirmed")
        pending = StoreEntry(f"{PENDING_PREFIX}{secrets.token_hex(4)}", mirrors, fingerprint,
                             now_iso(), builtin)
        tmp_dir = self.paths.store_dir(pending.id)
        try:
            outcome = StoreClient(pending, tmp_dir, label=label, limits=self.limits).refresh(
                bootstrap=root)
            if outcome.error is not None or outcome.catalog is None:
                raise outcome.error or StoreError("the store has no catalogue", where=label)
            pending.id = self.config.unique_id(outcome.catalog.store_id)
            final_dir = self.paths.store_dir(pending.id)
            if final_dir.exists():
                shutil.rmtree(final_dir)
            tmp_dir.rename(final_dir)
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        self.config.stores.append(pending)
        try:
            self.config.save()
        except OSError:
            self.config.stores.remove(pending)
            shutil.rmtree(final_dir, ignore_errors=True)
            raise
        # the catalogue just verified, read back from its new place (its cached descriptions
        # are there now), without asking the store again; the copy read before goes first (two
        # copies of a 100,000-app catalogue are 140 MB)
        del outcome
        client = self.client(pending.id)
        return client.cached() or client.refresh()

    def remove(self, store_id: str) -> None:
        entry = self.config.get(store_id)
        at = self.config.stores.index(entry)
        self.config.stores.remove(entry)
        try:
            self.config.save()
        except OSError:
            self.config.stores.insert(at, entry)
            raise
        self._clients.pop(entry.id, None)
        shutil.rmtree(self.paths.store_dir(entry.id), ignore_errors=True)

    def refresh(self, store_ids: Iterable[str] | None = None) -> list[RefreshOutcome]:
        """Refresh stores in parallel; each outcome carries the catalogue in use."""
        ids = list(store_ids) if store_ids is not None else [s.id for s in self.config.stores]
        clients = [self.client(i) for i in ids]
        if len(clients) <= 1:
            return [c.refresh() for c in clients]
        if any(m.startswith(("http://", "https://")) for c in clients for m in c.entry.mirrors):
            import requests  # noqa: F401 - once, here: threads must not race to import it
        from concurrent.futures import ThreadPoolExecutor  # (not what a start needs)

        with ThreadPoolExecutor(max_workers=min(4, len(clients))) as pool:
            return list(pool.map(lambda c: c.refresh(), clients))

    def cached(self, refresh: Iterable[str] = ()) -> list[RefreshOutcome]:
        """The last verified catalogue of every store, refreshing those in ``refresh`` and
        those that have none. Stores are read from the configuration as it is now."""
        wanted = set(refresh)
        outcomes = []
        for entry in list(self.config.stores):
            client = self.client(entry.id)
            outcomes.append((client.refresh() if entry.id in wanted else None)
                            or client.cached() or client.refresh())
        return outcomes

    def indexed(self) -> list[IndexedStore]:
        """Every store's search index, without loading any catalogue when the indexes are
        there (a store never verified here is refreshed first, as ``cached`` does)."""
        out = []
        for entry in list(self.config.stores):
            client = self.client(entry.id)
            state = client.state()
            if not state.catalog_sha256:
                outcome = client.refresh()
                out.append(IndexedStore(entry.id, client.search_index(),
                                        str(outcome.error) if outcome.error else None,
                                        outcome.verified_at))
                continue
            out.append(IndexedStore(entry.id, client.search_index(), state.last_error,
                                    state.last_success))
        return out

    def forget_client(self, store_id: str) -> None:
        """Drop the client of a store whose trust was reset: the next use starts afresh."""
        self._clients.pop(store_id, None)

    def is_builtin(self, store_id: str) -> bool:
        return any(s.id == store_id and s.builtin for s in self.config.stores)


@dataclass(frozen=True)
class IndexedStore:
    """A store's search index (None: no verified catalogue), what its last refresh said
    (``error``) and when its catalogue was last verified."""

    store_id: str
    index: StoreIndex | None
    error: str | None
    verified_at: str | None


class Listing:
    """An app as shown to the user; ``ref`` is what ``show`` takes (``ID`` or ``STORE/ID``).
    The ``App`` itself is made from the catalogue's compact rows when first asked for."""

    __slots__ = ("ref", "_apps", "_at")

    def __init__(self, ref: str, app: App) -> None:
        self.ref = ref
        self._apps: Sequence[App] = (app,)
        self._at = 0

    @classmethod
    def at(cls, ref: str, apps: Sequence[App], i: int) -> Listing:
        """The listing of ``apps[i]``, made only when ``app`` is read."""
        listing = cls.__new__(cls)
        listing.ref, listing._apps, listing._at = ref, apps, i
        return listing

    @property
    def app(self) -> App:
        return self._apps[self._at]

    def __repr__(self) -> str:
        return f"Listing({self.ref!r})"


class CatalogView:
    """The merged catalogue of several stores, with ids namespaced where they clash."""

    def __init__(self, catalogs: Iterable[Catalog]) -> None:
        with gc_paused():
            self._build(list(catalogs))

    def _build(self, catalogs: list[Catalog]) -> None:
        self.catalogs = catalogs
        ids = [ids_of(cat.apps) for cat in catalogs]  # no App is made here: 100,000 are slow
        counts: dict[str, int] = {}
        for some in ids:
            for app_id in some:
                counts[app_id] = counts.get(app_id, 0) + 1
        clash = {app_id for app_id, n in counts.items() if n > 1}
        del counts
        self.listings: list[Listing] = []
        self._position: dict[str, int] = {}  # STORE/ID -> position in ``listings``
        make = Listing.at
        for cat, some in zip(catalogs, ids, strict=True):
            at = len(self.listings)
            store = cat.store
            self.listings.extend(
                make(f"{store}/{app_id}" if app_id in clash else app_id, cat.apps, i)
                for i, app_id in enumerate(some))
            self._position.update((f"{store}/{app_id}", at + i) for i, app_id in enumerate(some))
        self._clash = clash
        # built here (a worker, in the GUI) so that no page walks 100,000 listings for them
        self.featured = [self.listings[i] for i, f in enumerate(
            f for cat in catalogs for f in featured_of(cat.apps)) if f]
        self.store_names: dict[str, Localized] = {c.store: c.store_name for c in self.catalogs}
        self.categories: dict[str, Localized] = {}
        for cat in self.catalogs:
            for key, names in cat.categories.items():
                self.categories.setdefault(key, names)

    def same_catalogs(self, catalogs: list[Catalog]) -> bool:
        """Whether this view was built from exactly these catalogue objects, in this order."""
        return len(catalogs) == len(self.catalogs) and all(
            a is b for a, b in zip(catalogs, self.catalogs, strict=True))

    @cached_property
    def index(self) -> SearchIndex:
        """Built on first search (a worker thread in the GUI), not on load."""
        with gc_paused():
            return SearchIndex([entry.app for entry in self.listings])

    def position(self, store: str, app_id: str) -> int | None:
        """Where app ``app_id`` of ``store`` is in ``listings`` (None: not listed)."""
        return self._position.get(f"{store}/{app_id}")

    def find(self, ref: str) -> Listing:
        at = self._position.get(ref)
        if at is None and ref not in self._clash:
            at = self._position.get(f"{self._only_store(ref)}/{ref}")
        if at is None:
            if ref in self._clash:
                clashing = [f"{c.store}/{ref}" for c in self.catalogs
                            if f"{c.store}/{ref}" in self._position]
                raise NotFound(f"{shorten(ref)!r} is in several stores: use one of "
                               f"{', '.join(clashing)}")
            raise NotFound(f"no app {shorten(ref)!r} in any store (try `search` to find its id)")
        return self.listings[at]

    def _only_store(self, app_id: str) -> str:
        """The store that lists ``app_id`` (an id no two stores share), or ""."""
        for cat in self.catalogs:
            if f"{cat.store}/{app_id}" in self._position:
                return cat.store
        return ""

    def apps_at(self, keys: Iterable[tuple[str, str]]) -> list[App]:
        """The apps with these (store, id), those listed (for the installed apps' updates)."""
        found = (self.position(store, app_id) for store, app_id in keys)
        return [self.listings[at].app for at in found if at is not None]

    def app_name(self, store: str, app_id: str, lang: str) -> str | None:
        """The name in ``lang`` of app ``app_id`` of ``store`` (None: the store lists no such app)."""
        at = self.position(store, app_id)
        return localized(self.listings[at].app.name, lang) if at is not None else None

    def search(self, query: str = "", category: str | None = None) -> list[Listing]:
        if category and category not in self.categories:
            known = ", ".join(sorted(self.categories))
            raise NotFound(f"no category {shorten(category)!r} (categories: {known})")
        return [self.listings[i] for i in self.index.search(query, category)]

    def search_rows(self, query: str = "", category: str | None = None) -> list[int]:
        """Like ``search`` but positions in ``listings`` (what the GUI's models use)."""
        return self.index.search(query, category)

    # -- the on-disk indexes (big catalogues) ---------------------------------------------------
    _indexes: list[StoreIndex] | None = None
    _orders: list[Ranks[int]] = []
    _offsets: list[int] = []

    def use_indexes(self, indexes: list[StoreIndex | None]) -> bool:
        """Search through these stores' SQLite indexes (one per catalogue, in order) rather
        than in memory; False (and nothing changes) unless every store has one that matches.
        Reads each index's order: call it in a worker."""
        if len(indexes) != len(self.catalogs) or any(
                ix is None or ix.size != len(c.apps) for ix, c in zip(indexes, self.catalogs, strict=True)):
            return False
        ready = [ix for ix in indexes if ix is not None]
        try:
            self._orders = [ix.order() for ix in ready]
        except IndexChanged:  # brought to a newer catalogue meanwhile: searched in memory
            return False
        offsets, at = [], 0
        for cat in self.catalogs:
            offsets.append(at)
            at += len(cat.apps)
        self._offsets = offsets
        self._indexes = ready
        return True

    @property
    def searches_on_disk(self) -> bool:
        """Whether ``search_results`` reads SQLite (call it in a worker) or memory."""
        return self._indexes is not None

    def search_results(self, query: str = "", category: str | None = None) -> Results:
        """The matches of ``query``: their number, and the first ``Results.FIRST`` positions in
        ``listings`` (more with ``Results.fetch``). Through the SQLite indexes when the view
        uses them (disk I/O: call it in a worker), else in memory."""
        if self._indexes is None:
            rows = self.search_rows(query, category)
            return Results(len(rows), rows, None)
        if category and category not in self.categories:
            return Results(0, [], None)
        orders, offsets, catalogs = self._orders, self._offsets, self.catalogs

        def key(item: tuple[int, int]) -> tuple[bool, str]:
            k, pos = item
            return sort_key(catalogs[k].apps[orders[k][pos]])

        try:
            hits = Hits(self._indexes, query, category, key)
        except IndexChanged:  # brought to a newer catalogue: this view is about to be replaced
            return Results(0, [], None)

        def more(n: int) -> list[int]:
            try:
                return [offsets[k] + orders[k][pos] for k, pos in hits.take(n)]
            except IndexChanged:
                return []  # (ends the results early, as a newer view replaces this one)

        results = Results(hits.total, [], more)
        results.fetch(Results.FIRST)
        return results


class Results:
    """A search's matches, best first: ``total`` of them, of which ``rows`` (positions in the
    view's ``listings``) are fetched. ``fetch`` reads more (disk I/O for a view searched on
    disk: call it in a worker)."""

    FIRST = 128  # fetched with the search: a few screenfuls (more as the list scrolls)

    def __init__(self, total: int, rows: list[int], more: Callable[[int], list[int]] | None) -> None:
        self.total = total
        self.rows = rows
        self._more = more

    @property
    def complete(self) -> bool:
        return len(self.rows) >= self.total or self._more is None

    def read(self, n: int) -> list[int]:
        """The next (up to) ``n`` rows after those read so far, not yet added to ``rows``
        (a worker reads, the GUI thread adds them with ``add``)."""
        if self._more is None or len(self.rows) >= self.total:
            return []
        return self._more(n)

    def add(self, rows: list[int]) -> None:
        """Add rows ``read`` returned; none means the index ended early: trust what it held."""
        self.rows.extend(rows)
        if not rows:
            self.total = len(self.rows)

    def fetch(self, n: int) -> None:
        """Read and add up to ``n`` more rows."""
        if not self.complete:
            self.add(self.read(n))
