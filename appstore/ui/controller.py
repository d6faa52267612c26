"""The GUI's handle on the core: opens the data dir, loads and refreshes the catalogue, adds and
removes stores and records activity, all as jobs (``appstore/ui/jobs.py``), and reports what
changed through signals.

Store changes and refreshes share the ``stores`` writer lane, so they run one after another in
the order asked for. Refresh requests that arrive while one runs are merged into one more
refresh (never dropped), and every add or remove is followed by a rebuild of the catalogue: once
the jobs settle, what Discover shows matches ``stores.json``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from appstore.core.catalog.models import App
from appstore.core.jobs import JobContext
from appstore.core.logs import log
from appstore.core.services import Services
from appstore.core.store.client import RefreshOutcome
from appstore.core.store.manager import CatalogView
from appstore.service.builtin import start_demo_service
from appstore.ui import tuning
from appstore.ui.jobs import Job, JobManager

if TYPE_CHECKING:
    from appstore.core.activity import Activity, ActivityEvent

Loaded = tuple[CatalogView, list[RefreshOutcome]]
# What reading a store loads first (TUF, the HTTP client): some 100 ms of imports, which a
# start's refresh and its first icon meet
STORE_CODE = ("tuf.ngclient", "appstore.core.store.fetcher")


_store_code_lock = threading.Lock()
_store_code_loaded: threading.Event | None = None  # set once the loading thread is done


def load_store_code(ctx: JobContext) -> None:
    """Load what a store's refresh or file needs before the job asks for it, cancellably:
    Python cannot stop an import half-way, and a window closed during a start's first refresh
    would wait for all of it. The imports run on a daemon thread of their own (one, whichever
    jobs ask) while the job waits, checking its cancel (``Cancelled``); an import that fails is
    left for the job to meet and report."""
    global _store_code_loaded
    if all(name in sys.modules for name in STORE_CODE):
        return
    with _store_code_lock:
        done = _store_code_loaded
        if done is None:
            done = _store_code_loaded = threading.Event()
            threading.Thread(target=_load_store_code, args=(done,), name="load store code",
                             daemon=True).start()
    while not done.wait(0.01):
        ctx.check()


def _load_store_code(done: threading.Event) -> None:
    try:
        for name in STORE_CODE:
            __import__(name)
    except Exception:  # a bug: logged with its traceback; the job imports it again and says so
        log.exception("loading the store code failed")
    finally:
        done.set()


@dataclass(frozen=True)
class StoreStatus:
    """What the status bar and Settings say about the stores after a load or refresh.
    ``refreshing_ids``: the stores being checked now (``None`` while all are)."""

    refreshing: bool
    outcomes: tuple[RefreshOutcome, ...]
    refreshing_ids: frozenset[str] | None = None

    @property
    def failures(self) -> list[RefreshOutcome]:
        return [o for o in self.outcomes if o.error is not None]

    def is_refreshing(self, store_id: str) -> bool:
        return self.refreshing and (self.refreshing_ids is None or store_id in self.refreshing_ids)


class Controller(QObject):
    """Signals:

    * ``ready()``: services are open (the data dir is set up); ``services`` is usable.
    * ``catalog_changed(object)``: a new ``CatalogView`` (search index built) is in use; not
      emitted when a refresh found every store's catalogue unchanged.
    * ``status_changed(object)``: a ``StoreStatus``.
    * ``failed(str)``: something the user should see in a banner (with a retry).
    * ``activity(object)``: an ``ActivityEvent`` was recorded.
    """

    ready = Signal()
    catalog_changed = Signal(object)
    status_changed = Signal(object)
    failed = Signal(str)
    activity = Signal(object)

    def __init__(self, data_dir: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.services: Services | None = None
        self.view: CatalogView | None = None
        self.status = StoreStatus(False, ())
        self.loads_done = 0  # catalogue loads finished (cached, then refreshed)
        self.warning: str | None = None  # e.g. the demo store could not be freshened
        self.jobs = JobManager(self)
        self._opening: Job | None = None
        self._refresh_job: Job | None = None
        # What the next refresh must do: None nothing; else the stores to check (an empty set
        # rebuilds the catalogue from what is verified, without the network).
        self._pending: set[str] | None = None
        self._pending_all = False

    # -- loading -----------------------------------------------------------------------------
    def start(self) -> None:
        """Open the data dir, show the cached catalogue, then refresh the stores."""
        if self._opening is not None:
            return

        def open_and_load(ctx: JobContext) -> tuple[Services, CatalogView, list[RefreshOutcome]]:
            # Show what was verified last time first; the demo store is freshened with the
            # refresh that follows (unless this is the first run: then it must exist first).
            services = Services.open(self.data_dir, demo=False, embedded=start_demo_service)
            if not services.paths.stores_file.exists():
                self._warn(services.freshen_demo())
            view, outcomes = services.load_catalog(index=True)
            tuning.settle_after_bulk_load()
            return services, view, outcomes

        def opened(result: tuple[Services, CatalogView, list[RefreshOutcome]]) -> None:
            self._opening = None
            self.services, view, outcomes = result
            self._open_databases(self.services)
            self.ready.emit()
            self._use(view, outcomes)
            self.refresh()

        self._opening = self.jobs.submit(open_and_load, lane="stores", title="open data",
                                         on_done=opened, on_error=self._failed_to_open)

    def _open_databases(self, services: Services) -> None:
        """Open the library's database and the activity journal in a job, right after the start
        (after the first paint: ``lifecycle`` holds jobs until then). They are made on first use
        (``Services.installs``, ``Services.activity``), and a first use on the GUI thread (an
        app opened, its entry path asked of the library) would otherwise create or upgrade the
        file there, and wait on another imapp's lock."""

        def open_them(ctx: JobContext) -> None:
            services.installs.library  # noqa: B018 - made (and its file opened) on first use
            services.activity.open()

        # (a file that cannot be opened is logged here, and said by the first page that reads it)
        self.jobs.submit(open_them, lane="library", title="open databases")

    def _warn(self, warning: str | None) -> None:
        """A problem worth a banner that does not stop the work (from any thread); ``None``:
        the problem is gone. It stays in ``warning`` so a later status keeps it on screen."""
        self.warning = warning
        if warning:
            self.failed.emit(warning)

    def _failed_to_open(self, message: str, _: BaseException) -> None:
        self._opening = None
        self.loads_done += 1
        self.failed.emit(message)

    def refresh(self, store_id: str | None = None) -> None:
        """Check one store (or all) for a new catalogue. Asked during a refresh, it runs
        right after that one, merged with any other request."""
        if self.services is None:
            self.start()
            return
        if store_id is None:
            self._pending_all = True
        self._pending = (self._pending or set()) | ({store_id} if store_id else set())
        if self._refresh_job is None:
            self._start_refresh()

    def reload(self) -> None:
        """Rebuild the catalogue from what is verified (after a store was added or removed)."""
        if self.services is None:
            return
        if self._pending is None:
            self._pending = set()
        if self._refresh_job is None:
            self._start_refresh()

    def _start_refresh(self) -> None:
        services = self.services
        assert services is not None and self._pending is not None
        ids: set[str] | None = None if self._pending_all else set(self._pending)
        self._pending, self._pending_all = None, False

        shown = self.view

        def refresh(ctx: JobContext) -> Loaded:
            if ids is None or any(services.stores.is_builtin(i) for i in ids):
                self._warn(services.freshen_demo())
            if ids is None or ids:  # (an empty set rebuilds from what is verified: no network)
                load_store_code(ctx)
            view, outcomes = services.load_catalog(refresh=True if ids is None else ids, index=True)
            if view is not shown:  # nothing new was built when nothing changed
                tuning.settle_after_bulk_load()
            return view, outcomes

        self._refresh_job = self.jobs.submit(refresh, lane="stores", title="refresh", key="stores",
                                             on_done=self._refreshed, on_error=self._refresh_failed)
        if ids is None or ids:
            self._set_status(StoreStatus(True, self.status.outcomes,
                                         None if ids is None else frozenset(ids)))

    def _refreshed(self, result: Loaded) -> None:
        self._refresh_job = None
        self._use(*result)
        if self._pending is not None:
            self._start_refresh()

    def _refresh_failed(self, message: str, _: BaseException) -> None:
        self._refresh_job = None
        self.loads_done += 1
        self._set_status(StoreStatus(False, self.status.outcomes))
        self.failed.emit(message)
        if self._pending is not None:
            self._start_refresh()

    def _use(self, view: CatalogView, outcomes: list[RefreshOutcome]) -> None:
        """Show a load's result. The same view as before (no store's catalogue changed) is
        only news for the status line: the pages and models keep what they built."""
        changed = view is not self.view
        self.view = view
        self.loads_done += 1
        if changed:
            self.catalog_changed.emit(view)
        self._set_status(StoreStatus(False, tuple(outcomes)))

    def _set_status(self, status: StoreStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    # -- stores ------------------------------------------------------------------------------
    def add_store(self, urls: list[str], root_sha256: str,
                  on_done: Callable[[RefreshOutcome], None],
                  on_error: Callable[[str, BaseException], None]) -> Job | None:
        """Pin and add a store (a writer job), then show its apps."""
        services = self.services
        if services is None:
            return None

        def added(outcome: RefreshOutcome) -> None:
            on_done(outcome)
            self.reload()

        return self.jobs.submit(lambda ctx: services.add_store(urls, root_sha256), lane="stores",
                                title="add store", key="stores", on_done=added, on_error=on_error)

    def remove_store(self, store_id: str) -> Job | None:
        services = self.services
        if services is None:
            return None

        def failed(message: str, _: BaseException) -> None:
            self.failed.emit(message)
            self.reload()

        return self.jobs.submit(lambda ctx: services.remove_store(store_id), lane="stores",
                                title="remove store", key=store_id,
                                on_done=lambda _: self.reload(), on_error=failed)

    # -- activity ----------------------------------------------------------------------------
    def record(self, kind: Activity, app: App, *, seconds: int | None = None) -> None:
        self._record(kind, app.store, app.id, seconds=seconds)

    def record_open(self, store: str, app_id: str) -> None:
        """An installed app was opened (also one whose store is gone)."""
        from appstore.core.activity import Activity

        self._record(Activity.OPEN, store, app_id)

    def _record(self, kind: Activity, store: str, app_id: str, *, seconds: int | None = None) -> None:
        if self.services is None:
            return
        log = self.services.activity

        def record(ctx: JobContext) -> ActivityEvent:
            return log.record(kind, store, app_id, seconds=seconds)

        self.jobs.submit(record, lane="activity", title=f"record {kind}",
                         on_done=self.activity.emit,
                         on_error=lambda message, _: self.failed.emit(message))

    # -- closing -----------------------------------------------------------------------------
    def shutdown(self) -> bool:
        """Cancel what has not started, let writers finish, then close the files. False if
        some work did not stop in time."""
        settled = self.jobs.shutdown()
        if self.services is not None:
            self.services.close()
        return settled
