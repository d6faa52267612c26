"""The core services, built once and handed to the GUI or the CLI (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from appstore.core.activity import ActivityLog
from appstore.core.paths import Paths
from appstore.core.store.client import RefreshOutcome
from appstore.core.store.manager import CatalogView, Stores


@dataclass
class Services:
    paths: Paths
    stores: Stores
    activity: ActivityLog

    @classmethod
    def open(cls, data_dir: str | None = None, *, demo: bool = True) -> Services:
        """Open (creating if needed) a data dir; set up the demo store when none is configured.

        Does disk I/O (and publishing, the first time): run it off the GUI thread.
        """
        paths = Paths.resolve(data_dir)
        paths.ensure()
        services = cls(paths, Stores(paths), ActivityLog(paths.root / "activity.jsonl"))
        if demo:
            services.freshen_demo()
        return services

    def freshen_demo(self) -> None:
        """Set up the demo store on first run; afterwards re-publish it if its sources changed
        and re-sign what nears expiry (refreshing it when its content changed)."""
        from appstore.core.store.demo import ensure_demo

        if ensure_demo(self.paths, self.stores):
            self.stores.refresh([s.id for s in self.stores.config.stores if s.builtin])

    def load_catalog(
        self, refresh: bool = False, *, index: bool = False
    ) -> tuple[CatalogView, list[RefreshOutcome]]:
        """The merged catalogue (``refresh``: ask the stores first; ``index``: build the search
        index now, as a worker thread should, rather than on the first search)."""
        outcomes = self.stores.refresh() if refresh else self.stores.cached()
        view = CatalogView(o.catalog for o in outcomes if o.catalog is not None)
        if index:
            view.index  # noqa: B018 - builds it
        return view, outcomes
