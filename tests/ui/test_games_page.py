"""The Games page on the real app offscreen, with the demo store's rounds kept running by the
app (6-second rounds): open rounds with countdowns, a stake through the dialog, the settled
round's verification view against an independent recomputation, totals, the settled-rounds
model (qtmodeltester), and the banner when the store reveals a seed it did not commit to."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from appstore.ui.app import DesktopApp, parse_args
from appstore.ui.gamespage import GamesPage, StakeDialog, VerifyDialog
from tests.gameskit import fund
from tests.ui.conftest import make_desktop

PERIOD = 6


@pytest.fixture
def desktop(qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    monkeypatch.setenv("IMAPP_GAMES_PERIOD", str(PERIOD))
    monkeypatch.setenv("IMAPP_GAMES_REVEAL", "30")
    d = make_desktop(qtbot, data)
    yield d
    d.window.close()


def _fund(desktop: DesktopApp) -> None:
    assert desktop.controller.services is not None
    fund(desktop.controller.services)


def _page(desktop: DesktopApp, qtbot: QtBot) -> GamesPage:
    desktop.window.show_page("games")
    page = desktop.window.games_page
    qtbot.waitUntil(lambda: page.snapshot is not None and len(page.snapshot.open_rounds()) == 3,
                    timeout=30000)
    return page


def _fresh(page: GamesPage, qtbot: QtBot, kind: str) -> object:
    def found() -> bool:
        snap = page.snapshot
        return snap is not None and any(
            v.round.kind == kind and v.round.locks_at - datetime.now(UTC) > timedelta(seconds=3)
            for v in snap.open_rounds())
    qtbot.waitUntil(found, timeout=30000)
    assert page.snapshot is not None
    return next(v for v in page.snapshot.open_rounds() if v.round.kind == kind)


def _staked(page: GamesPage, qtbot: QtBot, view: object, option: str, amount: str) -> None:
    dialog = StakeDialog(page, page.games, view, option)  # type: ignore[arg-type]
    dialog.amount.setText(amount)
    assert dialog.confirm.isEnabled(), dialog.error.text()
    dialog.confirm.click()
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=15000)


def test_stake_settle_and_verify_on_the_games_page(desktop: DesktopApp, qtbot: QtBot,
                                                   qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    _fund(desktop)
    page = _page(desktop, qtbot)
    assert page.snapshot is not None
    assert {v.round.kind for v in page.snapshot.open_rounds()} == {"number", "higher-lower", "odd-even"}
    qtbot.waitUntil(lambda: any(lab.text().startswith("Locks in ") for lab, _ in page._countdowns),
                    timeout=3000)

    view = _fresh(page, qtbot, "odd-even")
    dialog = StakeDialog(page, page.games, view, "even")  # type: ignore[arg-type]
    dialog.amount.setText("500")
    assert not dialog.confirm.isEnabled() and "1 IA to 100 IA" in dialog.error.text()
    dialog.amount.setText("1e5")
    assert "exponent" in dialog.error.text()
    dialog.amount.setText("2")
    assert dialog.wins.text() == "3.88 IA" and dialog.odds.text() == "×1.94"
    dialog.reject()
    _staked(page, qtbot, view, "even", "2")
    rid = view.round.id  # type: ignore[attr-defined]

    def settled() -> bool:
        snap = page.snapshot
        return snap is not None and any(v.round.id == rid and v.state == "settled"
                                        for v in snap.overview.rounds)
    qtbot.waitUntil(settled, timeout=(3 * PERIOD + 20) * 1000)
    assert page.snapshot is not None
    done = next(v for v in page.snapshot.overview.rounds if v.round.id == rid)
    row = next(i for i, v in enumerate(page.model.rows) if v.round.id == rid)
    qtmodeltester.check(page.model)

    # The verification view, against the rule written again from docs/games.md.
    seed = done.round.seed
    assert seed is not None
    i, x = 0, 0
    while True:
        digest = hmac.new(bytes.fromhex(seed), f"{rid}:{i}".encode(), hashlib.sha256).digest()
        x = int.from_bytes(digest, "big")
        if x < 2**256 - 2**256 % 10:
            break
        i += 1
    drawn = str(1 + x % 10)
    check = VerifyDialog(page, page.model.rows[row])
    shown = "\n".join(w.text() for w in check.findChildren(QLabel))
    texts = [w.toPlainText() for w in check.findChildren(QPlainTextEdit)]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() in shown and "matches the commitment" in shown
    assert seed in shown and drawn in shown
    assert hmac.new(bytes.fromhex(seed), f"{rid}:0".encode(), hashlib.sha256).hexdigest() in texts[0]
    assert f"stake:{rid}:even:19400:" in texts[1]
    won = int(drawn) % 2 == 0
    assert ("payout" in texts[1]) is won
    check.reject()
    assert page.totals.text() == ("Net +1.88 IA" if won else "Net -2 IA")
    assert not page.banner.isVisible()


def test_a_broken_promise_shows_a_banner_and_the_proof(desktop: DesktopApp, qtbot: QtBot, data: Path) -> None:
    _fund(desktop)
    page = _page(desktop, qtbot)
    view = _fresh(page, qtbot, "number")
    _staked(page, qtbot, view, "3", "1")
    rid = view.round.id  # type: ignore[attr-defined]
    seeds = data / "demo-store" / "games" / "seeds.json"
    secrets_ = json.loads(seeds.read_text())
    secrets_[rid] = "00" * 32  # the store will reveal a seed it did not commit to
    seeds.write_text(json.dumps(secrets_))
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=(3 * PERIOD + 20) * 1000)
    assert "broke its promise" in page.banner_title.text()
    assert page.snapshot is not None
    broken = page.snapshot.broken()[0]
    assert broken.round.id == rid and broken.state == "invalid"
    qtbot.waitUntil(lambda: page.snapshot is not None and page.snapshot.broken()[0].check.received == 10**8,
                    timeout=20000)  # the refund came
    check = VerifyDialog(page, page.snapshot.broken()[0])
    shown = "\n".join(w.text() for w in check.findChildren(QLabel))
    assert "does NOT match the commitment" in shown
    check.reject()


def test_a_screenshot_of_the_games_page_on_a_fresh_data_dir_shows_open_rounds(qtbot: QtBot, data: Path,
                                                                               tmp_path: Path) -> None:

    from PySide6.QtWidgets import QApplication

    from appstore.ui.app import ScreenshotJob

    png = tmp_path / "games.png"
    args = parse_args(["--data-dir", str(data), "--lang", "en", "--theme", "light", "--screenshot", str(png),
                       "--page", "games"])
    desktop = DesktopApp(QApplication.instance(), args)  # type: ignore[arg-type]
    qtbot.addWidget(desktop.window)
    finished: list[int] = []
    job = ScreenshotJob(desktop, png, "games", finish=finished.append)  # no main loop to end here
    desktop.start()
    try:
        qtbot.waitUntil(lambda: bool(finished), timeout=60000)
        page = desktop.window.games_page
        assert finished == [0] and job.exit_code == 0 and png.exists()
        assert page.snapshot is not None and len(page.snapshot.open_rounds()) == 3
        assert not page.open_empty.isVisible()  # not "No round is open just now"
    finally:
        desktop.window.close()


def test_a_missing_reveal_is_a_broken_promise_and_passed_times_do_not_reload(desktop: DesktopApp,
                                                                             qtbot: QtBot) -> None:
    from appstore.core.games.keeper import Timing, make_round
    from appstore.core.games.rounds import terms_hash
    from appstore.core.games.verify import verify_round
    from appstore.core.games.views import Overview, RoundView
    from appstore.ui.games import GamesSnapshot
    from tests.core.test_games_rule import _receipts

    page = _page(desktop, qtbot)
    now = datetime.now(UTC)
    gone = make_round("odd-even", now - timedelta(hours=3), Timing(600, 300), "01" * 32, None)
    refunded = _receipts(gone.id, terms_hash(gone, 8), [("odd", 10**8)], [("refund", 10**8, 1)])
    # the store never revealed: the service refunded every stake
    v1 = RoundView("demo", gone, 8, verify_round(gone, refunded, now, service={"state": "refunded"}))
    # a round locked, its reveal time passed a minute ago, no seed and no word from the service yet
    late = make_round("number", now - timedelta(minutes=16), Timing(600, 300), "02" * 32, None)
    staked = _receipts(late.id, terms_hash(late, 8), [("3", 10**8)], [])
    v2 = RoundView("demo", late, 8, verify_round(late, staked, now))
    assert (v1.check.verdict, v2.state, v2.check.verdict) == ("refunded", "locked", "pending")
    page.show_snapshot(GamesSnapshot(Overview([v2, v1]), now))
    assert page.banner.isVisibleTo(page)
    assert page.banner_title.text() == "imapp Demo Store broke its promise"  # its name, not its id
    assert "did not reveal the seed" in page.banner_text.text()
    assert "Rounds voided (wrong or missing seed): demo 1." in page.banner_text.text()
    assert "owes you" not in page.banner_title.text()
    assert all(until > now for _, until in page._countdowns)  # no countdown to a passed time
    assert page.model.rows and "Broken promise" in str(page.model.data(page.model.index(
        page.model.rows.index(v1), 6)))


def test_stake_stays_disabled_while_a_stake_is_in_flight(desktop: DesktopApp, qtbot: QtBot) -> None:
    _fund(desktop)
    page = _page(desktop, qtbot)
    view = _fresh(page, qtbot, "odd-even")
    dialog = StakeDialog(page, page.games, view, "odd")  # type: ignore[arg-type]
    dialog.amount.setText("1")
    assert dialog.confirm.isEnabled()
    dialog.confirm.click()  # sent; its answer comes through the event loop, not before
    dialog.amount.setText("1.5")  # typing again does not re-enable Stake
    assert dialog.busy and not dialog.confirm.isEnabled()
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=15000)
    assert not dialog.busy
