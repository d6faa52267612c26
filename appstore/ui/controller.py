"""The GUI's handle on the core: loads and refreshes the catalogue in workers and reports
progress, and records activity."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QThreadPool, Signal

from appstore.core.activity import Activity, ActivityEvent
from appstore.core.catalog.models import App
from appstore.core.services import Services
from appstore.core.store.client import RefreshOutcome
from appstore.core.store.manager import CatalogView
from appstore.ui.tasks import run_task


@dataclass(frozen=True)
class StoreStatus:
    """What the status bar and Settings say about the stores after a load or refresh."""

    refreshing: bool
    outcomes: tuple[RefreshOutcome, ...]

    @property
    def failures(self) -> list[RefreshOutcome]:
        return [o for o in self.outcomes if o.error is not None]


class Controller(QObject):
    """Signals:

    * ``ready()``: services are open (the data dir is set up); ``services`` is usable.
    * ``catalog_changed(object)``: a new ``CatalogView`` (search index built) is in use.
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
        self.io_pool = QThreadPool(self)  # store I/O and images
        self.io_pool.setMaxThreadCount(4)

    # -- loading -----------------------------------------------------------------------------
    def start(self) -> None:
        """Open the data dir, show the cached catalogue, then refresh the stores."""

        def open_and_load() -> tuple[Services, CatalogView, list[RefreshOutcome]]:
            # Show what was verified last time first; the demo store is freshened with the
            # refresh that follows (unless this is the first run: then it must exist first).
            services = Services.open(self.data_dir, demo=False)
            if not services.paths.stores_file.exists():
                services.freshen_demo()
            view, outcomes = services.load_catalog(index=True)
            return services, view, outcomes

        def opened(result: tuple[Services, CatalogView, list[RefreshOutcome]]) -> None:
            self.services, view, outcomes = result
            self.ready.emit()
            self._use(view, outcomes, refreshing=False)
            self.refresh()  # marks the status as refreshing right away

        run_task(open_and_load, opened, self._failed_to_open)

    def _failed_to_open(self, err: Exception) -> None:
        self.loads_done += 1
        self.failed.emit(str(err))

    def refresh(self) -> None:
        if self.status.refreshing and self.services is not None:
            return  # one at a time; its result is on its way
        if self.services is None:
            self.start()
            return
        services = self.services
        self._set_status(StoreStatus(True, self.status.outcomes))
        def refresh_all() -> tuple[CatalogView, list[RefreshOutcome]]:
            services.freshen_demo()
            return services.load_catalog(refresh=True, index=True)

        run_task(refresh_all, lambda r: self._use(r[0], r[1], refreshing=False), self._refresh_failed)

    def _refresh_failed(self, err: Exception) -> None:
        self.loads_done += 1
        self._set_status(StoreStatus(False, self.status.outcomes))
        self.failed.emit(str(err))

    def _use(self, view: CatalogView, outcomes: list[RefreshOutcome], refreshing: bool) -> None:
        self.view = view
        self.loads_done += 1
        self.catalog_changed.emit(view)
        self._set_status(StoreStatus(refreshing, tuple(outcomes)))

    def _set_status(self, status: StoreStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    # -- activity ----------------------------------------------------------------------------
    def record(self, kind: Activity, app: App) -> None:
        if self.services is None:
            return
        event = ActivityEvent(kind, app.store, app.id)
        log = self.services.activity
        run_task(lambda: log.record(event), lambda _: self.activity.emit(event),
                 lambda e: self.failed.emit(str(e)))
