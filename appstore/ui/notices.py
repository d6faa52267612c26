"""What becomes a desktop notification (``notify.Notifier`` sends it): a download installed,
new updates, IA credited, and a settled round the user staked on. Each is heard where the app
already learns it: the library's reload (``InstallController.library_changed``), the wallet's
snapshots (``WalletController.changed``) and the games' reads (``GamesController.changed``).

The Games page reads the rounds only while it is shown; while the user has a stake on a round
that has not settled, rounds are read here too: a little after the round locks, then every
``ROUNDS_AGAIN_MS`` until it has settled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from appstore.ui import texts
from appstore.ui.controller import Controller
from appstore.ui.desktopoptions import DesktopOptions
from appstore.ui.installs import InstallController
from appstore.ui.notify import Notice, Notifier

if TYPE_CHECKING:
    from appstore.ui.games import GamesController, GamesSnapshot
    from appstore.ui.mainwindow import MainWindow

FINAL = ("settled", "invalid", "refunded")
ROUNDS_AGAIN_MS = 30_000  # once locked, while a staked round has not settled
ROUNDS_FIRST_MS = 15_000  # at start, if a staked round had not settled at the last run's end
MAX_NAMED = 4  # apps named in one notification


def ia_units(snapshot: Any) -> tuple[int, int] | None:
    """(IA in base units, its decimals) of a ``WalletSnapshot``."""
    total = snapshot.balances.totals.get("IA")
    return (total.units, total.decimals) if total is not None else None


class Notices(QObject):
    """Hears the app's events and hands ``Notice``s to ``notifier`` (the kinds' settings and
    the window's focus are the notifier's to apply)."""

    def __init__(self, notifier: Notifier, controller: Controller, installs: InstallController,
                 options: DesktopOptions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self.controller = controller
        self.installs = installs
        self.options = options
        self._installed: set[str] | None = None  # download keys already in the history
        self._ia: tuple[str, int] | None = None  # (account, IA) as last seen
        self._games: GamesController | None = None
        self._rounds = options.rounds_waiting  # STORE/ROUND staked on, not settled
        self._rounds_timer = QTimer(self)
        self._rounds_timer.setSingleShot(True)
        self._rounds_timer.timeout.connect(self._read_rounds)
        installs.library_changed.connect(self._library)

    def attach(self, window: MainWindow) -> None:
        """Hear the window's wallet and games (a language switch makes new ones)."""
        window.wallet.changed.connect(self._wallet)
        window.wallet.load(create=False)  # the balance to compare with (and the tray's count)
        self._games = window.games
        self._games.changed.connect(self._rounds_read)
        if self._rounds:
            self._rounds_timer.start(ROUNDS_FIRST_MS)

    def _name(self, store: str, app_id: str) -> str:
        view = self.controller.view
        return (view.app_name(store, app_id, texts.language()) if view is not None else None) or app_id

    # -- downloads and updates ---------------------------------------------------------------
    def _library(self) -> None:
        if not self.installs.loaded:
            return
        self._downloads()
        self._updates()

    def _downloads(self) -> None:
        history = self.installs.history
        keys = {f.key for f in history}
        if self._installed is None:  # the first read: what was installed before this start
            self._installed = keys
            return
        new = [f for f in history if f.key not in self._installed]
        self._installed |= keys
        if not new:
            return
        if len(new) == 1:
            f = new[0]
            name = self._name(f.store, f.app_id)
            summary = (self.tr("%1 was updated") if f.update else self.tr("%1 was installed")).replace(
                "%1", name)
            body = self.tr("Version %1 is ready to open.").replace("%1", f.version)
        else:
            summary = self.tr("%n app(s) installed or updated", "", len(new))
            body = ", ".join(f"{self._name(f.store, f.app_id)} {f.version}" for f in new[:MAX_NAMED])
        self.notifier.notify(Notice("downloads", summary, body, "library"))

    def _updates(self) -> None:
        updates = {f"{u.id}@{u.available}": u for u in self.installs.updates.values()}
        seen = self.options.updates_seen
        new = [u for key, u in updates.items() if key not in seen]
        if updates or new:  # (none at all: maybe no catalogue yet; forget nothing)
            self.options.updates_seen = set(updates)
        if not new:
            return
        summary = self.tr("%n update(s) available", "", len(new))
        body = ", ".join(f"{self._name(u.store, u.app_id)} {u.available}" for u in new[:MAX_NAMED])
        if len(new) > MAX_NAMED:
            body += " …"
        self.notifier.notify(Notice("updates", summary, body, "library"))

    # -- IA ------------------------------------------------------------------------------------
    def _wallet(self, snapshot: Any) -> None:
        ia = ia_units(snapshot)
        if ia is None:
            return
        units, decimals = ia
        before, self._ia = self._ia, (snapshot.address, units)
        if before is None or before[0] != snapshot.address or units <= before[1]:
            return  # the first look, another wallet, or a spend
        from appstore.core.wallet.amounts import format_amount

        summary = self.tr("+%1 IA credited").replace("%1", format_amount(units - before[1], decimals))
        body = self.tr("Your IA balance is now %1 IA.").replace("%1", format_amount(units, decimals))
        self.notifier.notify(Notice("rewards", summary, body, "wallet"))

    # -- games ---------------------------------------------------------------------------------
    def _read_rounds(self) -> None:
        games = self._games
        if games is not None and not games.watching:  # (a shown page reads them itself)
            games.load()

    def _rounds_read(self, snapshot: GamesSnapshot) -> None:
        from appstore.core.wallet.amounts import format_amount

        lang = texts.language()
        pending: dict[str, datetime] = {}
        for v in snapshot.overview.rounds:
            key = f"{v.store}/{v.ref}"
            if not v.check.stakes:
                continue
            if v.state not in FINAL:
                pending[key] = v.round.locks_at
            elif key in self._rounds:
                title = v.round.text("title", lang)
                summary = self.tr("Round settled: %1").replace("%1", title)
                if v.state == "settled":
                    body = self.tr("You staked %1 IA and received %2 IA.").replace(
                        "%1", format_amount(v.check.staked, v.decimals)).replace(
                        "%2", format_amount(v.check.received, v.decimals))
                else:
                    body = self.tr("The round was voided; your stake is refunded.")
                if v.check.verdict in ("owed", "invalid"):
                    body += " " + self.tr("Check it on the Games page.")
                self.notifier.notify(Notice("games", summary, body, "games"))
        if set(pending) != self._rounds:
            self._rounds = set(pending)
            self.options.rounds_waiting = self._rounds
        if pending:  # read again a little after the next lock (the seed is revealed after it)
            wait = (min(pending.values()) - datetime.now(UTC)).total_seconds() * 1000
            self._rounds_timer.start(int(min(wait + 5000 if wait > 0 else ROUNDS_AGAIN_MS, 3_600_000)))
        else:
            self._rounds_timer.stop()
