"""The Games page's words, on real rounds made by the demo store's own round maker and checked by
the real verifier: "Settled rounds" lists settled rounds only (not locked ones), its columns have
headings, higher / lower says what was drawn as the option says it ("Lower (4)", not "4"), and the
totals use the plural forms of both languages."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from appstore.core.games.keeper import Timing, make_round
from appstore.core.games.verify import verify_round
from appstore.core.games.views import Overview, RoundView
from appstore.ui.games import GamesSnapshot, HistoryModel, drawn_text

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def _view(kind: str, drawn: str | None, *, last: str = "5", now: datetime | None = None) -> RoundView:
    """A round of ``kind`` whose seed draws ``drawn`` (searched for), revealed; or, with ``drawn``
    None, a round still locked (no seed yet)."""
    timing = Timing(period=60, reveal=30)
    for i in range(500):
        seed = hashlib.sha256(f"seed {i}".encode()).hexdigest()
        rnd = make_round(kind, T0, timing, seed, last)
        if drawn is None:
            check = verify_round(rnd, [], now or rnd.locks_at + timedelta(seconds=1))
            return RoundView("demo", rnd, 8, check)
        check = verify_round(replace(rnd, seed=seed), [], now or rnd.reveals_at + timedelta(hours=1))
        if check.result == drawn:
            return RoundView("demo", replace(rnd, seed=seed), 8, check)
    raise AssertionError(f"no seed draws {drawn}")


def test_what_was_drawn_is_said_as_the_options_say_it() -> None:
    lower = _view("higher-lower", "4")
    assert lower.check.winners == ["lower"]
    assert drawn_text(lower) == "Lower (4)"
    assert drawn_text(_view("odd-even", "7")) == "Odd (7)"
    assert drawn_text(_view("number", "7")) == "7"  # the option is the number itself
    assert drawn_text(_view("higher-lower", None)) == "—"


def test_settled_rounds_are_settled_and_have_headings(qapp: QApplication, qtbot: QtBot,
                                                      qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    settled, locked = _view("higher-lower", "4"), _view("number", None)
    assert (settled.state, locked.state) == ("settled", "locked")
    snapshot = GamesSnapshot(Overview([locked, settled]), T0)
    assert snapshot.finished() == [settled]  # a locked round is not settled
    model = HistoryModel()
    model.set_rows(snapshot.finished())
    qtmodeltester.check(model)
    headings = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headings == ["Round", "Question", "State", "Drawn", "Your stake", "Received", "Check"]
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.SizeHintRole) is None
    assert model.index(0, 3).data() == "Lower (4)"


def test_the_games_page_table_shows_its_headings(desktop, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    desktop.window.show_page("games")
    page = desktop.window.games_page
    header = page.table.horizontalHeader()
    assert header.isVisible() and header.height() >= 16
    assert header.sectionSize(0) > 20


def test_round_plurals_in_both_languages(qapp: QApplication) -> None:
    """ "%n settled round(s)" reads right in English (1 round, 3 rounds) and in Chinese."""
    from appstore.ui.translations import Translations

    source = "Staked %1, received %2 over %n settled round(s): %3 won, %4 lost."
    said = {}
    try:
        for lang in ("en", "zh_CN"):
            Translations(qapp).use(lang)
            said[lang] = [QApplication.translate("GamesPage", source, "", n) for n in (1, 3)]
    finally:
        Translations(qapp).use("en")
    assert "over 1 settled round:" in said["en"][0] and "over 3 settled rounds:" in said["en"][1]
    assert "3" in said["zh_CN"][1] and "%n" not in said["zh_CN"][1] and "round" not in said["zh_CN"][1]
