"""The guessing games for the GUI: every read and write on a worker, results back as signals, and
the settled-rounds table's model.

The round keeper of the built-in demo store runs on the ``stores`` writer lane every few
seconds while imapp runs (so rounds open, lock and are revealed on time); the rounds, the user's
stakes and their checks are read on the ``wallet`` lane (it syncs receipts into the ledger) when
the Games page is shown, when a round's countdown ends, and after a stake.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from appstore.core.errors import ConfigError
from appstore.core.jobs import JobContext
from appstore.core.logs import log
from appstore.ui import texts
from appstore.ui.controller import Controller
from appstore.ui.jobs import Job

if TYPE_CHECKING:  # the games' modules load when the page (or the keeper) first needs them
    from appstore.core.games.games import Games
    from appstore.core.games.rounds import Round
    from appstore.core.games.views import Overview, RoundView
    from appstore.core.services import Services
    from appstore.core.wallet.receipts import Receipt

KEEP_EVERY_MS = 10_000  # the round keeper's tick, at most (shorter for short test rounds)
FIRST_KEEP_MS = 2_000
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class GamesSnapshot:
    overview: Overview
    read_at: datetime

    def open_rounds(self) -> list[RoundView]:
        return [v for v in self.overview.rounds if v.state == "open"]

    def waiting(self) -> list[RoundView]:
        """Rounds the user staked on that are not settled yet."""
        return [v for v in self.overview.rounds if v.state in ("locked", "revealed") and v.check.stakes]

    def finished(self) -> list[RoundView]:
        """Settled rounds (and rounds voided by a wrong or missing seed): not a locked one."""
        return [v for v in self.overview.rounds if v.state in ("settled", "invalid", "refunded")]

    def broken(self) -> list[RoundView]:
        """Rounds where the store broke its promise (a wrong seed, two seeds, no seed in time)
        or owes the user."""
        return [v for v in self.overview.rounds if v.check.verdict in ("owed", "invalid")
                or (v.check.verdict == "refunded" and v.check.stakes)]

    def voided(self) -> dict[str, int]:
        """Each store's count of rounds voided by a wrong or missing seed (every stake refunded)."""
        out: dict[str, int] = {}
        for v in self.overview.rounds:
            if v.state in ("invalid", "refunded"):
                out[v.store] = out.get(v.store, 0) + 1
        return out


_MAKING = threading.Lock()


def _games(services: Services) -> Games:
    """``services.games``, made once: the keeper's tick (``stores`` lane) and the first read
    (``wallet`` lane) can ask for it at the same moment, and two of them would each keep their
    own note of what was published (the rounds would then be read from stale metadata)."""
    with _MAKING:
        return services.games


def state_label(state: str) -> str:
    return {"open": QCoreApplication.translate("games", "Open"),
            "locked": QCoreApplication.translate("games", "Locked"),
            "revealed": QCoreApplication.translate("games", "Revealed"),
            "settled": QCoreApplication.translate("games", "Settled"),
            "invalid": QCoreApplication.translate("games", "Invalid"),
            "refunded": QCoreApplication.translate("games", "Refunded")}.get(state, state)


def verdict_label(verdict: str) -> str:
    return {"ok": QCoreApplication.translate("games", "Fair, paid as the rule says"),
            "owed": QCoreApplication.translate("games", "The store owes you"),
            "invalid": QCoreApplication.translate("games", "The store broke its promise"),
            "refunded": QCoreApplication.translate("games", "Broken promise: no reveal in time (refunded)"),
            "unknown": QCoreApplication.translate("games", "Cannot be checked"),
            "pending": QCoreApplication.translate("games", "Waiting"),
            "open": QCoreApplication.translate("games", "Open")}.get(verdict, verdict)


def round_text(view: RoundView, what: str) -> str:
    return view.round.text(what, texts.language())


def drawn_text(view: RoundView) -> str:
    """What was drawn, as the options say it: "Lower (4)", "Odd (7)", or the number alone when
    the winning option is the number ("7"); "—" before the draw."""
    result = view.check.result
    if result is None:
        return "—"
    lang = texts.language()
    names = [o.text(lang) for w in view.check.winners if (o := view.round.option(w)) is not None]
    if not names or names == [result]:
        return result
    return QCoreApplication.translate("games", "%1 (%2)").replace("%1", ", ".join(names)).replace(
        "%2", result)


class GamesController(QObject):
    """Signals: ``changed(GamesSnapshot)`` after each read; ``failed(str)`` a message to show;
    ``notice(str)`` a short line for the status bar."""

    changed = Signal(object)
    failed = Signal(str)
    notice = Signal(str)

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.snapshot: GamesSnapshot | None = None
        self.watching = False  # the page is shown: read the rounds after each keeper tick
        self._loading: Job | None = None
        self._load_again = False
        self._keeping: Job | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.keep)
        if controller.services is not None:  # made once the data dir was open
            QTimer.singleShot(FIRST_KEEP_MS, self, self._start_keeping)
        else:
            controller.ready.connect(lambda: QTimer.singleShot(FIRST_KEEP_MS, self._start_keeping))

    # -- the demo store's rounds -----------------------------------------------------------

    def _start_keeping(self) -> None:
        from appstore.core.games.keeper import Timing

        try:
            period = Timing.from_env().period
        except ConfigError:  # a bad $IMAPP_GAMES_PERIOD: the keeper reports it on its own tick
            period = 600
        except Exception:  # a bug: in the log with its traceback; the rounds are kept anyway
            log.exception("games: the round timing could not be read; keeping rounds every 600 s")
            period = 600
        self._timer.start(max(1000, min(KEEP_EVERY_MS, period * 1000 // 4)))
        self.keep()

    def keep(self) -> None:
        """One tick of the demo store's round keeper (on the ``stores`` lane)."""
        services = self.controller.services
        if services is None or self._keeping is not None:
            return

        def run(ctx: JobContext) -> bool:
            return _games(services).keep_rounds()

        def done(changed: bool) -> None:
            self._keeping = None
            if changed and self.watching:
                self.load()

        def failed(message: str, _: BaseException) -> None:
            self._keeping = None
            self.notice.emit(self.tr("The demo store's game rounds could not be updated: %1")
                             .replace("%1", message))

        self._keeping = self.controller.jobs.submit(run, lane="stores", title="game rounds", key="games",
                                                    on_done=done, on_error=failed)

    # -- reading and playing ----------------------------------------------------------------

    def load(self) -> None:
        """Read every store's rounds, the user's stakes and their checks (one read at a time)."""
        services = self.controller.services
        if services is None:
            return
        if self._loading is not None:
            self._load_again = True
            return

        def run(ctx: JobContext) -> GamesSnapshot:
            return GamesSnapshot(_games(services).overview(), datetime.now(UTC))

        def done(snapshot: GamesSnapshot) -> None:
            self._loading = None
            self.snapshot = snapshot
            self.changed.emit(snapshot)
            if self._load_again:
                self._load_again = False
                self.load()

        def failed(message: str, _: BaseException) -> None:
            self._loading = None
            self.failed.emit(message)

        self._loading = self.controller.jobs.submit(run, lane="wallet", title="read the game rounds",
                                                    key="games", on_done=done, on_error=failed)

    def stake(self, ref: str, option: str, amount: int, on_done: Callable[[Receipt], None],
              on_error: Callable[[str, BaseException], None], *, seen: Round | None = None) -> Job | None:
        """Stake on a worker; ``seen``: the round as shown (refused if the store's is another now)."""
        services = self.controller.services
        if services is None:
            return None

        def done(result: tuple[str, Receipt]) -> None:
            on_done(result[1])
            self.load()

        return self.controller.jobs.submit(lambda ctx: _games(services).stake(ref, option, amount, seen=seen),
                                           lane="wallet", title="stake", key="games", on_done=done,
                                           on_error=on_error)


class HistoryModel(QAbstractTableModel):
    """Settled rounds, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RoundView] = []

    def headers(self) -> tuple[str, ...]:
        return (QCoreApplication.translate("games", "Round"), QCoreApplication.translate("games", "Question"),
                QCoreApplication.translate("games", "State"), QCoreApplication.translate("games", "Drawn"),
                QCoreApplication.translate("games", "Your stake"),
                QCoreApplication.translate("games", "Received"), QCoreApplication.translate("games", "Check"))

    def set_rows(self, rows: list[RoundView]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < 7:
            return self.headers()[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter  # over its column's text
        return None  # ("" for every other role hid the headings)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        v = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            from appstore.core.wallet.amounts import format_amount

            d = v.decimals
            if col == 0:
                return f"{round_text(v, 'title')} · {v.round.opens_at.astimezone().strftime('%H:%M')}"
            if col == 1:
                return round_text(v, "question")
            if col == 2:
                return state_label(v.state)
            if col == 3:
                return drawn_text(v)
            if col == 4:
                if not v.check.stakes:
                    return "—"
                lang = texts.language()
                opts = ", ".join(dict.fromkeys(o.text(lang) if (o := v.round.option(s.option)) else s.option
                                               for s in v.check.stakes))
                return f"{format_amount(v.check.staked, d)} IA ({opts})"
            if col == 5:
                return f"{format_amount(v.check.received, d)} IA" if v.check.stakes else "—"
            return verdict_label(v.check.verdict) if v.check.stakes or v.check.verdict == "invalid" else \
                ("✓" if v.state == "settled" else "")
        if role == Qt.ItemDataRole.ToolTipRole and col in (1, 6):
            return v.check.message
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and v.check.verdict in ("owed", "invalid",
                                                                                       "refunded"):
            from PySide6.QtGui import QColor

            return QColor("#d92d20")
        return None
