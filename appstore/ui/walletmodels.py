"""The wallet's history as a table model, fed a page at a time from the ledger on a worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView

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


def fit_columns(table: QTableView) -> None:
    """Widths that hold the widest date, kind, amount and store a row can have (and each
    heading), whatever rows are loaded: they never collapse when a filter empties the table;
    "For" takes the rest."""
    from appstore.core.wallet.receipts import KINDS

    model = table.model()
    assert isinstance(model, HistoryModel)
    fm = table.fontMetrics()
    pad = 2 * fm.horizontalAdvance("M") + 8
    samples = {"time": ["2026-12-31 23:59"], "kind": [kind_label(k) for k in KINDS],
               "amount": ["−99999.00000000 IA", "−9999.0000000 BCD"], "store": ["demo #999999"]}
    header = table.horizontalHeader()
    header.setMinimumSectionSize(fm.horizontalAdvance("MMMM"))
    for i, column in enumerate(COLUMNS):
        if column == "reference":
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
            continue
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
        texts = [*samples[column], model.headers()[i]]
        table.setColumnWidth(i, max(fm.horizontalAdvance(t) for t in texts) + pad)


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
        self._swaps: dict[tuple[str, str, str], Receipt] = {}  # (store, reference, asset): a swap's halves
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
        self._swaps = {}
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
                self._swaps.update(((r.store, r.reference, r.asset), r) for r in page if r.kind == "swap")
                self.endInsertRows()
                if any(r.kind == "swap" for r in page):  # a half on an earlier page now has its pair
                    column = COLUMNS.index("reference")
                    self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))
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

    def swap_text(self, r: Receipt) -> str:
        """What a swap receipt swapped, from its pair (the receipt with the same quote in the
        same store): "Swap: 6 IA → 0.05982 BCD"; with the pair not among the rows (filtered
        out), its quote in words."""
        pair = next((self._swaps[(r.store, r.reference, a)] for a in ("IA", "BCD")
                     if a != r.asset and (r.store, r.reference, a) in self._swaps), None)
        sides = {r.asset: r} | ({pair.asset: pair} if pair is not None else {})
        if "IA" in sides and "BCD" in sides:
            ia, bcd = sides["IA"], sides["BCD"]
            return QCoreApplication.translate("wallet", "Swap: %1 → %2").replace(
                "%1", f"{format_amount(abs(ia.amount), self._decimals('IA', ia.store))} IA").replace(
                "%2", f"{format_amount(abs(bcd.amount), self._decimals('BCD', bcd.store))} BCD")
        quote = r.reference.removeprefix("quote:")
        return QCoreApplication.translate("wallet", "Swap (quote %1)").replace("%1", quote[:8])

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
                if r.kind == "swap":
                    return self.swap_text(r)
                if r.kind == "withdrawal" and r.reference.startswith("withdrawal:"):
                    # (the receipt proves the store owes it; its operator sends it on the chain)
                    return QCoreApplication.translate("wallet", "Requested to %1").replace(
                        "%1", r.reference.removeprefix("withdrawal:"))
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
