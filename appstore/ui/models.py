"""The app list (model/view): the apps of every store that match a query, via the core's index."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QPixmap

from appstore.core.catalog.models import localized
from appstore.core.jobs import JobContext
from appstore.core.store.manager import CatalogView, Listing, Results
from appstore.ui.consent import ConsentTexts
from appstore.ui.images import ImageLoader, image_key
from appstore.ui.installs import AppState, InstallController, Phase

ICON_SIZE = QSize(112, 112)  # loaded at 2x the painted 56 px, for crisp high-DPI screens

Index = QModelIndex | QPersistentModelIndex


class Roles:
    APP = Qt.ItemDataRole.UserRole + 1
    SUMMARY = Qt.ItemDataRole.UserRole + 2
    CATEGORY = Qt.ItemDataRole.UserRole + 3
    REF = Qt.ItemDataRole.UserRole + 4
    ACTION = Qt.ItemDataRole.UserRole + 5  # the card's button: "Install", "Open", "43 %"…
    ACTION_PRIMARY = Qt.ItemDataRole.UserRole + 6  # drawn filled (something to do) or outlined
    NOTE = Qt.ItemDataRole.UserRole + 7  # a warning drawn instead of the category ("" if none)


class AppListModel(QAbstractListModel):
    """The apps matching the current query and category, best first.

    Filtering happens here rather than in a proxy: QListView asks its model for an index of every
    row on each layout, and a proxy written in Python would make that a Python call per app per
    keystroke. For the same reason the view gets the results in batches (``canFetchMore`` /
    ``fetchMore``, as Qt's own big models do): each keystroke lays out one batch, however many
    apps match, and scrolling down fetches the next. ``total`` is the number of matches.

    A big catalogue is searched through SQLite (``CatalogView.search_results``, in a worker):
    the results come with their first rows, and the rows after those are read in the
    ``search`` lane when scrolling needs them, never on the GUI thread.
    """

    BATCH = 240

    def __init__(self, images: ImageLoader, lang: str, placeholder: QPixmap,
                 installs: InstallController | None = None) -> None:
        super().__init__()
        self.images = images
        self.installs = installs
        if installs is not None:
            installs.changed.connect(self._state_changed)
        self.lang = lang
        self.placeholder = placeholder
        self.view: CatalogView | None = None
        self.query = ""
        self.category: str | None = None
        self._listings: list[Listing] = []
        self._rows: list[int] = []  # positions in ``view.listings`` (read so far)
        self._results: Results | None = None  # where more rows come from (a big catalogue)
        self._reading: Results | None = None  # the results whose next rows are being read
        self._shown = 0  # rows the view has been given so far
        self._row_of: dict[int, int] | None = None  # position -> row, built when needed
        self._icon_of: dict[str, int] = {}  # icon key -> position, of the icons asked for
        images.loaded.connect(self._icon_loaded)

    def set_view(self, view: CatalogView | None) -> None:
        self.view = view
        self._listings = view.listings if view else []
        self._icon_of = {}  # filled as icons are asked for: not 100,000 keys up front
        if view is not None and self.category not in view.categories:
            self.category = None
        self.refilter()

    def set_filter(self, query: str, category: str | None) -> None:
        self.query, self.category = query, category
        self.refilter()

    def refilter(self) -> None:
        """Filter again now. A catalogue searched on disk is not searched here (the GUI
        thread): its rows wait for the search the page runs in a worker."""
        view = self.view
        if view is None or view.searches_on_disk and (self.query or self.category):
            self.set_rows([])
        else:  # in memory, or every app (on disk: no query needed)
            self.set_rows(view.search_results(self.query, self.category))

    def set_rows(self, rows: list[int] | Results, query: str | None = None,
                 category: str | None = None) -> None:
        """Show ``rows`` (positions in ``view.listings``, or a search's ``Results``), e.g. a
        search run in a worker."""
        if query is not None:
            self.query, self.category = query, category
        self.beginResetModel()
        if isinstance(rows, Results):
            self._results = None if rows.complete else rows
            self._total = rows.total
            rows = rows.rows
        else:
            self._results, self._total = None, len(rows)
        self._reading = None
        self._rows = rows
        self._shown = min(len(rows), self.BATCH)
        self._row_of = None
        self.endResetModel()

    _total = 0
    _inserting = False

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._inserting:
            return  # (a view may ask again from inside the insertion it is told about)
        more = min(self.BATCH, len(self._rows) - self._shown)
        if more > 0:
            self._inserting = True
            try:
                self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
                self._shown += more
                self.endInsertRows()
            finally:
                self._inserting = False
        if self._results is not None and len(self._rows) - self._shown < self.BATCH:
            self._read_more(self._results)

    def _read_more(self, results: Results) -> None:
        """Read the next rows of ``results`` in the ``search`` lane; show them when they come."""
        if self._reading is results:
            return
        self._reading = results

        def read(ctx: JobContext) -> list[int]:
            return results.read(self.BATCH * 8)

        def got(rows: list[int]) -> None:
            if self._results is not results:
                return  # another search replaced these results meanwhile
            self._reading = None
            results.add(rows)
            self._total = results.total
            if results.complete:
                self._results = None
            self.fetchMore()

        self.images.controller.jobs.submit(read, lane="search", title="more results", on_done=got)

    def listing(self, row: int) -> Listing:
        return self._listings[self._rows[row]]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._shown

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        entry = self._listings[self._rows[index.row()]]
        app = entry.app
        if role == Qt.ItemDataRole.DisplayRole:
            return localized(app.name, self.lang)
        if role in (Roles.SUMMARY, Qt.ItemDataRole.ToolTipRole):
            return localized(app.summary, self.lang)
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self.images.pixmap(app.store, app.icon, ICON_SIZE)
            if pixmap is None:  # being loaded: repaint this card when it comes
                self._icon_of[image_key(app.store, app.icon, ICON_SIZE)] = self._rows[index.row()]
                return self.placeholder
            return pixmap
        if role == Roles.CATEGORY:
            cats = self.view.categories if self.view else {}
            return ", ".join(localized(cats[c], self.lang) if c in cats else c for c in app.categories)
        if role == Roles.REF:
            return entry.ref
        if role == Roles.APP:
            return app
        if role in (Roles.ACTION, Roles.ACTION_PRIMARY) and self.installs is not None:
            label, primary = self._action(self.installs.state(app))
            return label if role == Roles.ACTION else primary
        if role == Roles.NOTE:
            state = self.installs.state(app) if self.installs is not None else None
            waits = state is not None and state.phase is Phase.UPDATE and state.update is not None \
                and state.update.waits
            return ConsentTexts().short() if waits else ""
        return None

    def _action(self, state: AppState) -> tuple[str, bool]:
        phase = state.phase
        if phase is Phase.UPDATE and state.update is not None and state.update.waits:
            return self.tr("Review"), True  # opens the app page, where the user reviews it
        if phase in (Phase.DOWNLOADING, Phase.PAUSED):
            pct = f"{int(state.fraction * 100)} %"
            return (pct if phase is Phase.DOWNLOADING else self.tr("Paused %1").replace("%1", pct)), False
        return {
            Phase.AVAILABLE: (self.tr("Install"), True),
            Phase.LINK: (self.tr("Visit"), False),
            Phase.PREPARING: (self.tr("Queued"), False),
            Phase.QUEUED: (self.tr("Queued"), False),
            Phase.VERIFYING: (self.tr("Verifying"), False),
            Phase.INSTALLING: (self.tr("Installing"), False),
            Phase.INSTALLED: (self.tr("Open"), False),
            Phase.UPDATE: (self.tr("Update"), True),
            Phase.FAILED: (self.tr("Failed"), False),
        }[phase]

    def _state_changed(self, key: str) -> None:
        """An app's install state changed: repaint its card (``""``: every card)."""
        if not self._shown:
            return
        if not key:
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, 0),
                                  [Roles.ACTION, Roles.ACTION_PRIMARY, Roles.NOTE])
            return
        store, _, app_id = key.partition("/")
        pos = self.view.position(store, app_id) if self.view is not None else None
        self._repaint(pos, [Roles.ACTION, Roles.ACTION_PRIMARY, Roles.NOTE])

    def _icon_loaded(self, key: str) -> None:
        self._repaint(self._icon_of.get(key), [Qt.ItemDataRole.DecorationRole])

    def _repaint(self, pos: int | None, roles: list[int]) -> None:
        """``roles`` of the app at ``pos`` (in ``view.listings``) changed: tell the view, if
        that app is among the rows shown."""
        if pos is None:
            return
        if self._row_of is None:
            self._row_of = {p: r for r, p in enumerate(self._rows)}
        row = self._row_of.get(pos)
        if row is not None and row < self._shown:
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx, roles)
