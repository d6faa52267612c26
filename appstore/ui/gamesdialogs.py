"""The Games page's dialogs: staking on a round (option, amount, odds, what a win pays, the
countdown) and the verification view of a round (seed, commitment, the derivation step by step,
the result, the user's receipts), with the small formatters the page shares (docs/games.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from appstore.ui import texts
from appstore.ui.games import (
    GamesController,
    round_text,
    state_label,
    verdict_label,
)
from appstore.ui.widgets import plain_label, section_title

if TYPE_CHECKING:
    from appstore.core.games.views import RoundView
    from appstore.core.wallet.receipts import Receipt


def ia_text(units: int, decimals: int) -> str:
    from appstore.core.wallet.amounts import format_amount

    return f"{format_amount(units, decimals)} IA"


def odds_text(bp: int) -> str:
    """Odds for display, cut to two decimals (1.3857 → ×1.38); money is never computed from it."""
    whole, cents = divmod(bp // 100, 100)
    return f"×{whole}.{cents:02d}".rstrip("0").rstrip(".")


def time_left(until: datetime) -> str:
    s = max(0, int((until - datetime.now(UTC)).total_seconds()))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def mono_label(text: str = "") -> QLabel:
    label = plain_label(text)
    label.setObjectName("mono")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def option_text(view: RoundView, option: str) -> str:
    opt = view.round.option(option)
    return opt.text(texts.language()) if opt is not None else option


class StakeDialog(QDialog):
    """Stake on a round: the option, the amount, the odds, what a win pays, the countdown."""

    def __init__(self, parent: QWidget, games: GamesController, view: RoundView, option: str) -> None:
        super().__init__(parent)
        self.games, self.view = games, view
        self.busy = False  # a stake is in flight: Stake stays disabled until its answer
        r, self.d = view.round, view.decimals
        self.setWindowTitle(self.tr("Stake on a round"))
        self.setMinimumWidth(460)
        col = QVBoxLayout(self)
        title = section_title(round_text(view, "title"))
        col.addWidget(title)
        question = plain_label(round_text(view, "question"))
        question.setWordWrap(True)
        col.addWidget(question)
        form = QFormLayout()
        self.option = QComboBox()
        for opt in r.options:
            self.option.addItem(f"{opt.text(texts.language())}  {odds_text(opt.odds_bp)}", opt.id)
        self.option.setCurrentIndex(max(0, self.option.findData(option)))
        form.addRow(self.tr("Option"), self.option)
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("IA to stake (%1 to %2)").replace(
            "%1", ia_text(r.min_stake, self.d)).replace("%2", ia_text(r.max_stake, self.d)))
        form.addRow(self.tr("Amount"), self.amount)
        self.odds = plain_label()
        form.addRow(self.tr("Odds"), self.odds)
        self.wins = plain_label("—")
        f = self.wins.font()
        f.setWeight(QFont.Weight.Bold)
        self.wins.setFont(f)
        form.addRow(self.tr("If it wins you receive"), self.wins)
        self.left = plain_label()
        form.addRow(self.tr("Locks in"), self.left)
        col.addLayout(form)
        self.error = plain_label()
        self.error.setObjectName("danger")
        self.error.setWordWrap(True)
        col.addWidget(self.error)
        note = plain_label(self.tr("The store's service takes the stake only before the round locks by its "
                                   "own clock; a loss pays nothing."))
        note.setProperty("muted", True)
        note.setWordWrap(True)
        col.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = self.buttons.addButton(self.tr("Stake"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("primary")
        self.buttons.accepted.connect(self._stake)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self.option.currentIndexChanged.connect(self._update)
        self.amount.textChanged.connect(self._update)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)
        self._tick()
        self._update()

    def _units(self) -> int | None:
        from appstore.core.errors import AppStoreError
        from appstore.core.wallet.amounts import parse_amount

        text = self.amount.text()
        if not text.strip():
            return None
        try:
            return parse_amount(text, self.d, unit="IA")
        except AppStoreError as e:
            self.error.setText(texts.error_text(e))
            return None

    def _update(self) -> None:
        from appstore.core.games.rule import payout

        self.error.setText("")
        opt = self.view.round.option(str(self.option.currentData()))
        self.odds.setText(odds_text(opt.odds_bp) if opt else "—")
        units = self._units()
        r = self.view.round
        ok = units is not None and opt is not None
        if units is not None and not r.min_stake <= units <= r.max_stake:
            self.error.setText(self.tr("A stake on this round is %1 to %2.").replace(
                "%1", ia_text(r.min_stake, self.d)).replace("%2", ia_text(r.max_stake, self.d)))
            ok = False
        self.wins.setText(ia_text(payout(units, opt.odds_bp), self.d) if units is not None and opt else "—")
        self.confirm.setEnabled(ok and not self.busy and r.locks_at > datetime.now(UTC))

    def _tick(self) -> None:
        locks = self.view.round.locks_at
        if locks <= datetime.now(UTC):
            self.left.setText(self.tr("Locked"))
            self.confirm.setEnabled(False)
        else:
            self.left.setText(time_left(locks))

    def _stake(self) -> None:
        units = self._units()
        if units is None or self.busy:
            return
        self.busy = True
        self.confirm.setEnabled(False)
        self.error.setText("")

        def done(receipt: Receipt) -> None:
            self.busy = False
            self.games.notice.emit(self.tr("Staked %1 on %2 (receipt #%3).").replace(
                "%1", ia_text(-receipt.amount, self.d)).replace("%2", self.option.currentText()).replace(
                "%3", str(receipt.seq)))
            self.accept()

        def failed(message: str, _: BaseException) -> None:
            self.busy = False
            self.error.setText(message)
            self._update()

        ref = f"{self.view.store}/{self.view.round.id}"
        job = self.games.stake(ref, str(self.option.currentData()), units, done, failed, seen=self.view.round)
        if job is None:
            self.busy = False
            self._update()


class VerifyDialog(QDialog):
    """A round checked by hand: seed, commitment, recomputed hash, the derivation step by step,
    the result, the user's receipts, and the verdict."""

    def __init__(self, parent: QWidget, view: RoundView) -> None:
        super().__init__(parent)
        c, d = view.check, view.decimals
        self.setWindowTitle(self.tr("Check round %1").replace("%1", view.round.id))
        self.setMinimumSize(760, 560)
        col = QVBoxLayout(self)
        col.addWidget(section_title(f"{round_text(view, 'title')} — {state_label(view.state)}"))
        question = plain_label(round_text(view, "question"))
        question.setWordWrap(True)
        col.addWidget(question)
        verdict = plain_label(c.message)
        verdict.setWordWrap(True)
        f = verdict.font()
        f.setWeight(QFont.Weight.Bold)
        verdict.setFont(f)
        verdict.setToolTip(verdict_label(c.verdict))
        if c.verdict in ("owed", "invalid", "refunded"):
            verdict.setObjectName("danger")
        col.addWidget(verdict)
        form = QFormLayout()
        form.addRow(self.tr("Commitment"), mono_label(c.commitment))
        form.addRow(self.tr("Seed"), mono_label(c.seed or self.tr("not revealed yet")))
        if c.recomputed is not None:
            same = c.recomputed == c.commitment
            mark = self.tr("matches the commitment") if same else self.tr("does NOT match the commitment")
            hashed = mono_label(f"{c.recomputed}  ({mark})")
            if not same:
                hashed.setObjectName("danger")
            form.addRow(self.tr("SHA-256(seed)"), hashed)
        if c.result is not None:
            winners = ", ".join(option_text(view, w) for w in c.winners)
            form.addRow(self.tr("Drawn"), plain_label(f"{c.result}  ({self.tr('winning')}: {winners})"))
        col.addLayout(form)
        col.addWidget(plain_label(self.tr("Step by step (anyone can recompute it: docs/games.md)")))
        steps = QPlainTextEdit()
        steps.setReadOnly(True)
        steps.setObjectName("mono")
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        steps.setFont(mono)
        lines = c.steps()
        if c.derivation is not None:
            lines.append("")
            lines.append(f"import hashlib, hmac; seed = bytes.fromhex('{c.seed}')")
            lines.append(f"hmac.new(seed, b'{view.round.id}:0', hashlib.sha256).hexdigest()")
        steps.setPlainText("\n".join(lines))
        col.addWidget(steps, 1)
        col.addWidget(plain_label(self.tr("Your receipts for this round")))
        receipts = QPlainTextEdit()
        receipts.setReadOnly(True)
        receipts.setFont(mono)
        receipts.setMaximumHeight(130)
        rows = []
        for s in c.stakes:
            rows.append(f"#{s.receipt.seq} stake  {ia_text(-s.receipt.amount, d)}  {s.receipt.reference}  "
                        f"{s.receipt.time}")
            for p in s.paid:
                rows.append(f"#{p.seq} {p.kind}  {ia_text(p.amount, d)}  {p.reference}  {p.time}")
            owed = (f"{s.expected_kind}: {ia_text(s.expected, d)}" if s.expected_kind
                    else self.tr("nothing (lost)"))
            rows.append("    " + self.tr("owed by the rule: %1; received %2").replace("%1", owed).replace(
                "%2", ia_text(s.received, d)))
        receipts.setPlainText("\n".join(rows) if rows else self.tr("You did not stake on this round."))
        col.addWidget(receipts)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)


__all__ = ["StakeDialog", "VerifyDialog", "ia_text", "mono_label", "odds_text", "option_text", "time_left"]
