"""The wallet's history as a table model, fed a page at a time from the ledger on a worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor

from appstore.core.wallet.amounts import format_amount
from appstore.core.wallet.receipts import Receipt
from appstore.ui import theme
from appstore.ui.models import Index

PAGE = 200
Filters = tuple[str | None, str | None, str | None]  # asset, kind, text
Loader = Callable[[Filters, int, int, Callable[[list[Receipt]], None]], object]

COLUMNS = ("time", "kind", "amount", "reference", "store")


def kind_label(kind: str) -> str:
    labels = {
        "reward": QCoreApplication.translate("wallet", "Reward"),
        "dividend": QCoreApplication.translate("wallet", "Dividend"),
        "swap": QCoreApplication.translate("wallet", "Swap"),
        "stake": QCoreApplication.translate("wallet", "Stake"),
        "payout": QCoreApplication.translate("wallet", "Payout"),
        "refund": QCoreApplication.translate("wallet", "Refund"),
        "payment": QCoreApplication.translate("wallet", "Payment"),
        "withdrawal": QCoreApplication.translate("wallet", "Withdrawal"),
    }
    return labels.get(kind, kind)


def local_time(iso: str) -> str:
    """A receipt's UTC time shown in the local time zone, to the minute."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return when.strftime("%Y-%m-%d %H:%M")


class HistoryModel(QAbstractTableModel):
    """Receipts, newest first. ``loader(filters, offset, limit, on_done)`` reads a page on a
    worker; rows arrive through ``fetchMore`` as the view scrolls. ``decimals(asset, store)``
    and ``name(store, reference)`` (what a receipt was for, in words, or None) word the rows.

    Signals: ``loaded()`` a page arrived (perhaps empty)."""

    loaded = Signal()

    def __init__(self, loader: Loader, decimals: Callable[[str, str | None], int],
                 name: Callable[[str, str], str | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load = loader
        self._decimals = decimals
        self._name = name
        self.rows: list[Receipt] = []
        self.filters: Filters = (None, None, None)
        self._exhausted = True  # nothing to fetch until the first reload (the wallet may not exist yet)
        self._loading = False
        self._generation = 0
        self.loaded_once = False

    def headers(self) -> tuple[str, ...]:
        return (QCoreApplication.translate("wallet", "Date"), QCoreApplication.translate("wallet", "Kind"),
                QCoreApplication.translate("wallet", "Amount"), QCoreApplication.translate("wallet", "For"),
                QCoreApplication.translate("wallet", "Store"))

    # -- filters and loading -----------------------------------------------------------

    def set_filters(self, asset: str | None, kind: str | None, text: str | None) -> None:
        self.filters = (asset, kind, (text or "").strip() or None)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.rows = []
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation

        def arrived(page: list[Receipt]) -> None:
            if generation != self._generation:
                return  # the filters changed meanwhile
            self._loading = False
            self.loaded_once = True
            self._exhausted = len(page) < PAGE
            if page:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
                self.rows.extend(page)
                self.endInsertRows()
            self.loaded.emit()

        if self._load(self.filters, len(self.rows), PAGE, arrived) is None:
            self._loading = False
            self._exhausted = True

    # -- the model -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return self.headers()[section]
        return None

    def amount_text(self, r: Receipt) -> str:
        text = format_amount(abs(r.amount), self._decimals(r.asset, r.store))
        return f"{'+' if r.amount >= 0 else '−'}{text} {r.asset}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "time":
                return local_time(r.time)
            if column == "kind":
                return kind_label(r.kind)
            if column == "amount":
                return self.amount_text(r)
            if column == "reference":
                return self._name(r.store, r.reference) or r.reference
            return f"{r.store} #{r.seq}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.time} · {r.kind} · {r.reference} · {r.hash}"
        if role == Qt.ItemDataRole.ForegroundRole and column == "amount":
            colors = theme.colors(theme.current())
            return QColor(colors["ok"] if r.amount >= 0 else colors["danger"])
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "amount":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r
        return None
