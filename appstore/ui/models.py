"""The app list (model/view): every app of every store, and a proxy that filters and orders it
with the core's search index."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QPixmap

from appstore.core.catalog.models import localized
from appstore.core.store.manager import CatalogView, Listing
from appstore.ui.images import ImageLoader, image_key

ICON_SIZE = QSize(112, 112)  # loaded at 2x the painted 56 px, for crisp high-DPI screens

Index = QModelIndex | QPersistentModelIndex


class Roles:
    APP = Qt.ItemDataRole.UserRole + 1
    SUMMARY = Qt.ItemDataRole.UserRole + 2
    CATEGORY = Qt.ItemDataRole.UserRole + 3
    REF = Qt.ItemDataRole.UserRole + 4


class AppListModel(QAbstractListModel):
    """One row per app of the merged catalogue, in catalogue order."""

    def __init__(self, images: ImageLoader, lang: str, placeholder: QPixmap) -> None:
        super().__init__()
        self.images = images
        self.lang = lang
        self.placeholder = placeholder
        self.view: CatalogView | None = None
        self._rows: list[Listing] = []
        self._row_of_icon: dict[str, int] = {}
        images.loaded.connect(self._icon_loaded)

    def set_view(self, view: CatalogView | None) -> None:
        self.beginResetModel()
        self.view = view
        self._rows = view.listings if view else []
        self._row_of_icon = {
            image_key(e.app.store, e.app.icon, ICON_SIZE): i for i, e in enumerate(self._rows)
        }
        self.endResetModel()

    def listing(self, row: int) -> Listing:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        app = entry.app
        if role == Qt.ItemDataRole.DisplayRole:
            return localized(app.name, self.lang)
        if role in (Roles.SUMMARY, Qt.ItemDataRole.ToolTipRole):
            return localized(app.summary, self.lang)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.images.pixmap(app.store, app.icon, ICON_SIZE) or self.placeholder
        if role == Roles.CATEGORY:
            cats = self.view.categories if self.view else {}
            return ", ".join(localized(cats[c], self.lang) if c in cats else c for c in app.categories)
        if role == Roles.REF:
            return entry.ref
        if role == Roles.APP:
            return app
        return None

    def _icon_loaded(self, key: str) -> None:
        row = self._row_of_icon.get(key)
        if row is not None:
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])


class ResultsProxy(QAbstractProxyModel):
    """The apps matching a query and a category, best first (rows of ``AppListModel``)."""

    def __init__(self) -> None:
        super().__init__()
        self.query = ""
        self.category: str | None = None
        self._rows: list[int] = []
        self._reverse: dict[int, int] | None = None

    def setSourceModel(self, model: AppListModel) -> None:  # type: ignore[override]
        super().setSourceModel(model)
        model.modelReset.connect(self.refilter)
        model.dataChanged.connect(self._source_changed)
        self.refilter()

    def source(self) -> AppListModel:
        model = self.sourceModel()
        assert isinstance(model, AppListModel)
        return model

    def set_filter(self, query: str, category: str | None) -> None:
        self.query, self.category = query, category
        self.refilter()

    def refilter(self) -> None:
        view = self.source().view
        rows = view.search_rows(self.query, self.category) if view else []
        self.beginResetModel()
        self._rows = rows
        self._reverse = None
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or column != 0 or not 0 <= row < len(self._rows):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def mapToSource(self, proxy: Index) -> QModelIndex:
        if not proxy.isValid() or not 0 <= proxy.row() < len(self._rows):
            return QModelIndex()
        return self.source().index(self._rows[proxy.row()], 0)

    def mapFromSource(self, source: Index) -> QModelIndex:
        if not source.isValid():
            return QModelIndex()
        if self._reverse is None:
            self._reverse = {src: i for i, src in enumerate(self._rows)}
        row = self._reverse.get(source.row())
        return self.index(row, 0) if row is not None else QModelIndex()

    def _source_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        for src in range(top.row(), bottom.row() + 1):
            idx = self.mapFromSource(self.source().index(src, 0))
            if idx.isValid():
                self.dataChanged.emit(idx, idx, roles)
