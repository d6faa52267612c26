"""The Games page: open rounds with their countdowns and odds, the user's stakes awaiting a
result, settled history with win / loss totals, a banner when a store broke its promise or owes
the user; its dialogs are in ``gamesdialogs.py`` (docs/games.md).

Everything shown comes from ``GamesController`` snapshots read on workers; the page's own
1-second timer only redraws countdowns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from appstore.ui import texts
from appstore.ui.games import (
    GamesController,
    GamesSnapshot,
    HistoryModel,
    round_text,
    state_label,
)
from appstore.ui.gamesdialogs import (
    StakeDialog,
    VerifyDialog,
    ia_text,
    mono_label,
    odds_text,
    option_text,
    time_left,
)
from appstore.ui.widgets import card_frame, clear_layout, plain_label, section_title

if TYPE_CHECKING:
    from appstore.core.games.views import RoundView

class GamesPage(QScrollArea):
    """The Games page (built when first shown)."""

    def __init__(self, games: GamesController, lang: str) -> None:
        super().__init__()
        self.games, self.lang = games, lang
        self.snapshot: GamesSnapshot | None = None
        self._countdowns: list[tuple[QLabel, datetime]] = []
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 18, 32, 32)
        col.setSpacing(14)
        self._build_head(col)
        self._build_banner_and_totals(col)
        self._build_rounds(col)
        self._build_history(col)
        self.setWidget(page)

        self._tick = QTimer(self)
        self._tick.timeout.connect(self._update_countdowns)
        self._tick.start(1000)
        games.changed.connect(self.show_snapshot)
        games.failed.connect(self._failed)
        games.controller.ready.connect(self.games.load)
        if games.snapshot is not None:
            self.show_snapshot(games.snapshot)
        self.games.watching = True
        self.games.load()

    # -- building (once, in __init__) --------------------------------------------------

    def _build_head(self, col: QVBoxLayout) -> None:
        """The title, Refresh, the page's introduction and the stores' problems."""
        head = QHBoxLayout()
        title = QLabel(self.tr("Games"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.games.load)
        head.addWidget(self.refresh_button)
        col.addLayout(head)
        intro = plain_label(self.tr(
            "Stake IA on the outcome of a round. Each round's result comes from a secret seed the store "
            "commits to before the round opens and reveals after it locks: you can check every round."))
        intro.setWordWrap(True)
        intro.setProperty("muted", True)
        col.addWidget(intro)
        self.problems = plain_label()
        self.problems.setObjectName("danger")
        self.problems.setWordWrap(True)
        self.problems.setVisible(False)
        col.addWidget(self.problems)

    def _build_banner_and_totals(self, col: QVBoxLayout) -> None:
        """The broken-promise banner (hidden until needed) and the user's results."""
        self.banner, banner_col = card_frame("banner")
        self.banner_title = section_title("")
        self.banner_text = plain_label()
        self.banner_text.setWordWrap(True)
        banner_col.addWidget(self.banner_title)
        banner_col.addWidget(self.banner_text)
        self.banner_button = QPushButton(self.tr("Show the proof"))
        self.banner_button.clicked.connect(self._show_broken)
        banner_col.addWidget(self.banner_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.banner.setVisible(False)
        col.addWidget(self.banner)

        totals_card, totals_col = card_frame()
        totals_col.addWidget(section_title(self.tr("Your results")))
        self.totals = QLabel("—")
        self.totals.setObjectName("balanceSmall")
        self.totals_detail = plain_label()
        self.totals_detail.setProperty("muted", True)
        totals_col.addWidget(self.totals)
        totals_col.addWidget(self.totals_detail)
        col.addWidget(totals_card)

    def _build_rounds(self, col: QVBoxLayout) -> None:
        """The open rounds' grid and the user's stakes awaiting a result."""
        col.addWidget(section_title(self.tr("Open rounds")))
        self.open_grid = QGridLayout()
        self.open_grid.setSpacing(14)
        col.addLayout(self.open_grid)
        self.open_empty = plain_label(self.tr("No round is open just now."))
        self.open_empty.setProperty("muted", True)
        col.addWidget(self.open_empty)

        self.waiting_title = section_title(self.tr("Your stakes awaiting a result"))
        col.addWidget(self.waiting_title)
        self.waiting_col = QVBoxLayout()
        self.waiting_col.setSpacing(6)
        col.addLayout(self.waiting_col)

    def _build_history(self, col: QVBoxLayout) -> None:
        """Settled rounds, each checkable."""
        history_card, history_col = card_frame()
        history_head = QHBoxLayout()
        history_head.addWidget(section_title(self.tr("Settled rounds")))
        history_head.addStretch(1)
        self.check_button = QPushButton(self.tr("Check this round…"))
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self._check_selected)
        history_head.addWidget(self.check_button)
        history_col.addLayout(history_head)
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(300)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self._check(index.row()))
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.check_button.setEnabled(bool(self.table.selectionModel().selectedRows())))
        history_col.addWidget(self.table)
        hint = plain_label(self.tr("Double-click a round to check it: seed, commitment, the draw step by "
                                   "step, and what you were paid."))
        hint.setProperty("muted", True)
        hint.setWordWrap(True)
        history_col.addWidget(hint)
        col.addWidget(history_card, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.games.watching = True

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.games.watching = False

    # -- showing -------------------------------------------------------------------------

    def show_snapshot(self, snapshot: GamesSnapshot) -> None:
        self.snapshot = snapshot
        self.problems.setText("\n".join(snapshot.overview.problems))
        self.problems.setVisible(bool(snapshot.overview.problems))
        self._countdowns = []
        clear_layout(self.open_grid)
        opened = snapshot.open_rounds()
        for i, view in enumerate(opened):
            self.open_grid.addWidget(self._open_card(view), i, 0)
        self.open_empty.setVisible(not opened)
        clear_layout(self.waiting_col)
        waiting = snapshot.waiting()
        self.waiting_title.setVisible(bool(waiting))
        for view in waiting:
            self.waiting_col.addWidget(self._waiting_row(view))
        self.model.set_rows(snapshot.finished())
        self.check_button.setEnabled(False)
        self._show_totals(snapshot)
        self._show_banner(snapshot)
        self._update_countdowns()

    def _show_totals(self, snapshot: GamesSnapshot) -> None:
        played = [v for v in snapshot.overview.rounds if v.check.stakes
                  and v.state in ("settled", "invalid", "refunded")]
        if not played:
            self.totals.setText(self.tr("No settled stakes yet"))
            self.totals_detail.setText(
                self.tr("Your wins and losses show here once your rounds are settled."))
            return
        d = played[0].decimals
        totals = snapshot.overview.totals()
        wins = sum(1 for v in played if v.state == "settled" and v.check.received > 0)
        losses = sum(1 for v in played if v.state == "settled" and v.check.received == 0)
        net = totals["net"]
        sign = "+" if net > 0 else ""
        self.totals.setText(self.tr("Net %1").replace("%1", sign + ia_text(net, d)))
        self.totals_detail.setText(
            self.tr("Staked %1, received %2 over %n settled round(s): %3 won, %4 lost.", "", len(played))
            .replace("%1", ia_text(totals["staked"], d)).replace("%2", ia_text(totals["received"], d))
            .replace("%3", str(wins)).replace("%4", str(losses)))

    def _store(self, store: str) -> str:
        return texts.store_name(self.games.controller.view, store)

    def _show_banner(self, snapshot: GamesSnapshot) -> None:
        broken = snapshot.broken()
        self.banner.setVisible(bool(broken))
        if not broken:
            return
        first = broken[0]
        owed = first.check.owed
        if first.check.verdict == "owed" and owed > 0:
            self.banner_title.setText(self.tr("%1 owes you %2").replace(
                "%1", self._store(first.store)).replace("%2", ia_text(owed, first.decimals)))
            text = self.tr("It settled round “%1” without paying what the rule says. Your signed stake "
                           "receipt and the revealed seed are the proof.")
            text = text.replace("%1", round_text(first, "title"))
        else:
            self.banner_title.setText(self.tr("%1 broke its promise").replace(
                "%1", self._store(first.store)))
            if first.check.verdict == "refunded":
                text = self.tr("It did not reveal the seed of round “%1” in time: every stake is "
                               "refunded.").replace("%1", round_text(first, "title"))
            elif first.check.other_seed is not None:
                text = self.tr("In round “%1” it published two different seeds. Every stake must be "
                               "refunded.").replace("%1", round_text(first, "title"))
            else:
                text = self.tr("In round “%1” the seed it revealed does not match the commitment it "
                               "published before the round opened. Every stake must be refunded.").replace(
                    "%1", round_text(first, "title"))
            if owed:
                text += " " + self.tr("Your refund of %1 has not come yet.").replace(
                    "%1", ia_text(owed, first.decimals))
        voided = snapshot.voided()
        if voided:
            text += " " + self.tr("Rounds voided (wrong or missing seed): %1.").replace(
                "%1", ", ".join(f"{store} {n}" for store, n in sorted(voided.items())))
        if len(broken) > 1:
            text += " " + self.tr("(%1 rounds in all)").replace("%1", str(len(broken)))
        self.banner_text.setText(text)

    def _open_card(self, view: RoundView) -> QWidget:
        """An open round: its question and countdown on the left, its options (with their odds)
        on the right, the user's stakes and the commitment below."""
        r, d = view.round, view.decimals
        frame, col = card_frame()
        row = QHBoxLayout()
        row.setSpacing(18)
        left = QVBoxLayout()
        left.setSpacing(4)
        title = section_title(round_text(view, "title"))
        title.setContentsMargins(0, 0, 0, 0)
        left.addWidget(title)
        question = plain_label(round_text(view, "question"))
        question.setWordWrap(True)
        left.addWidget(question)
        countdown = plain_label()
        countdown.setObjectName("countdown")
        if r.locks_at > datetime.now(UTC):  # a passed time would reload the page every second
            self._countdowns.append((countdown, r.locks_at))
        limits = plain_label(self.tr("Stake %1 to %2").replace("%1", ia_text(r.min_stake, d)).replace(
            "%2", ia_text(r.max_stake, d)))
        limits.setProperty("muted", True)
        left.addWidget(countdown)
        left.addWidget(limits)
        left.addStretch(1)
        row.addLayout(left, 2)
        options = QGridLayout()
        options.setHorizontalSpacing(6)
        options.setVerticalSpacing(6)
        per_row = 5
        for i, opt in enumerate(r.options):
            b = QPushButton(f"{opt.text(texts.language())}  {odds_text(opt.odds_bp)}")
            b.setMinimumWidth(88)
            b.setToolTip(self.tr("Stake on %1: pays %2 times the stake if it wins").replace(
                "%1", opt.text(texts.language())).replace("%2", odds_text(opt.odds_bp)[1:]))
            b.clicked.connect(lambda _=False, v=view, o=opt.id: self.stake(v, o))
            options.addWidget(b, i // per_row, i % per_row)
        wrap = QVBoxLayout()
        wrap.addLayout(options)
        wrap.addStretch(1)
        row.addLayout(wrap, 3)
        col.addLayout(row)
        for s in view.check.stakes:
            mine = plain_label(self.tr("Your stake: %1 on %2").replace("%1", ia_text(s.amount, d)).replace(
                "%2", option_text(view, s.option)))
            col.addWidget(mine)
        commit = mono_label(self.tr("Commitment %1").replace("%1", r.commitment))
        commit.setProperty("muted", True)
        commit.setToolTip(self.tr("SHA-256 of the secret seed, published before the round opened"))
        col.addWidget(commit)
        return frame

    def _waiting_row(self, view: RoundView) -> QWidget:
        frame, col = card_frame()
        row = QHBoxLayout()
        d = view.decimals
        stakes = ", ".join(f"{ia_text(s.amount, d)} → {option_text(view, s.option)}"
                           for s in view.check.stakes)
        label = plain_label(f"{round_text(view, 'title')} · {state_label(view.state)} · {stakes}")
        label.setWordWrap(True)
        row.addWidget(label, 1)
        countdown = plain_label()
        countdown.setProperty("muted", True)
        if view.state == "locked" and view.round.reveals_at > datetime.now(UTC):
            self._countdowns.append((countdown, view.round.reveals_at))
        row.addWidget(countdown)
        check = QPushButton(self.tr("Check…"))
        check.clicked.connect(lambda _=False, v=view: self.show_check(v))
        row.addWidget(check)
        col.addLayout(row)
        return frame

    def _update_countdowns(self) -> None:
        now = datetime.now(UTC)
        expired = False
        for label, until in self._countdowns:
            if until > now:
                label.setText(self.tr("Locks in %1").replace("%1", time_left(until))
                              if label.objectName() == "countdown" else
                              self.tr("Seed due in %1").replace("%1", time_left(until)))
            else:
                expired = True
        if expired and self.isVisible():
            self._countdowns = [(lab, t) for lab, t in self._countdowns if t > now]
            self.games.load()  # a round locked, or its reveal is due

    def _failed(self, message: str) -> None:
        self.problems.setText(self.tr("The rounds could not be read: %1").replace("%1", message))
        self.problems.setVisible(True)

    # -- actions ---------------------------------------------------------------------------

    def stake(self, view: RoundView, option: str) -> None:
        dialog = StakeDialog(self, self.games, view, option)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # its timer goes with it
        dialog.exec()

    def _check_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._check(rows[0].row())

    def _check(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.show_check(self.model.rows[row])

    def _show_broken(self) -> None:
        if self.snapshot is not None and self.snapshot.broken():
            self.show_check(self.snapshot.broken()[0])

    def show_check(self, view: RoundView) -> None:
        dialog = VerifyDialog(self, view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()


__all__ = ["GamesPage", "StakeDialog", "VerifyDialog"]
