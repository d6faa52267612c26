"""Bugs of the Qt binding we depend on not having (see the PySide6 pin in pyproject.toml)."""

import sys

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt


class _Empty(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> None:
        return None


def test_model_data_returning_none_keeps_none_alive(qapp) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0 loses a reference to None per call; views call data() constantly."""
    model = _Empty()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(20000):
        index.data(Qt.ItemDataRole.DisplayRole)
    assert abs(sys.getrefcount(None) - before) < 100
