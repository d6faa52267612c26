"""The Wallet page on the real app offscreen: a wallet made on first use, balances and the
chart from a real ledger, the history model (paged, filtered; checked by qtmodeltester),
verify and the failed state, the restore dialog's checks, backup, and the passphrase bridge."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytestqt.qtbot import QtBot

from appstore.core.wallet.receipts import public_key_hex
from appstore.core.wallet.seedstore import PassphraseRequest
from appstore.ui.app import DesktopApp
from appstore.ui.walletdialogs import BackupDialog, RestoreDialog
from appstore.ui.walletpage import WalletPage
from tests.ui.conftest import events_delivered, make_desktop
from tests.walletkit import fill_wallet

ABANDON = "abandon " * 11 + "about"


@pytest.fixture
def desktop(qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    # The wallet goes in the system keyring (CI) or, with none, in the passphrase file.
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    d = make_desktop(qtbot, data)
    yield d
    d.window.close()


def open_page(desktop: DesktopApp, qtbot: QtBot) -> WalletPage:
    desktop.window.show_page("wallet")
    page = desktop.window.wallet_page
    qtbot.waitUntil(lambda: page.snapshot is not None and page.model.loaded_once, timeout=20000)
    return page


def test_a_wallet_is_made_on_first_use_and_shown(desktop: DesktopApp, qtbot: QtBot) -> None:
    page = open_page(desktop, qtbot)
    services = desktop.controller.services
    assert services is not None
    address = services.wallet.address()
    assert page.address.text() == address and not page.qr.pixmap().isNull()
    assert page.balance_labels["IA"].text() == "0 IA" and page.balance_labels["BCD"].text() == "0 BCD"
    assert "Bitcoin" in page.lookalike.text()
    assert page.empty_history.isVisibleTo(page)
    assert page.model.rowCount() == 0 and not page.problem_card.isVisibleTo(page)


def test_history_pages_filters_and_passes_the_model_tester(desktop: DesktopApp, qtbot: QtBot,
                                                          qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    services = desktop.controller.services
    assert services is not None
    fill_wallet(services, 250)
    page = open_page(desktop, qtbot)
    model = page.model
    assert model.rowCount() == 200  # one page; the rest as the view scrolls
    assert model.data(model.index(0, 4)) == "demo #250"
    qtbot.waitUntil(lambda: model.canFetchMore(), timeout=5000)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 250, timeout=10000)
    assert not model.canFetchMore()
    qtmodeltester.check(model)
    assert page.balance_labels["IA"].text().endswith(" IA") and page.chart.view.isVisibleTo(page)
    assert page.snapshot is not None and len(page.snapshot.series["IA"]) > 1

    page.asset_filter.setCurrentIndex(page.asset_filter.findData("BCD"))
    qtbot.waitUntil(lambda: model.rowCount() > 0 and model.filters[0] == "BCD", timeout=10000)
    assert {r.asset for r in model.rows} == {"BCD"}
    assert model.data(model.index(0, 2)).endswith(" BCD")
    page.search.setText("no such thing anywhere")
    qtbot.waitUntil(lambda: model.filters[2] == "no such thing anywhere" and model.loaded_once
                    and not model.rows, timeout=10000)
    qtbot.waitUntil(lambda: page.empty_history.isVisibleTo(page), timeout=5000)
    assert page.empty_history.text() == "No receipts match."
    qtmodeltester.check(model)


def test_verify_and_the_failed_state(desktop: DesktopApp, qtbot: QtBot) -> None:
    services = desktop.controller.services
    assert services is not None
    address, ledger_file, _ = fill_wallet(services, 12)
    page = open_page(desktop, qtbot)
    with qtbot.waitSignal(page.wallet.verified, timeout=20000) as ok:
        page.verify_button.click()
    assert ok.args[0].ok and ok.args[0].receipts == 12
    assert not page.problem_card.isVisibleTo(page)

    db = sqlite3.connect(ledger_file)
    db.execute("UPDATE receipts SET reference = 'org.imapp.other' WHERE seq = 5")
    db.commit()
    db.close()
    with qtbot.waitSignal(page.wallet.verified, timeout=20000) as bad:
        page.verify_button.click()
    assert not bad.args[0].ok
    qtbot.waitUntil(lambda: page.problem_card.isVisibleTo(page), timeout=5000)
    assert "receipt #5 from store demo (changed)" in page.problem_text.text()
    assert "Nothing can be spent" in page.problem_text.text()
    assert page.verify_button.isEnabled()


def test_a_ledger_signed_by_another_key_fails_and_resync_mends_it(desktop: DesktopApp,
                                                                   qtbot: QtBot) -> None:
    """A chain that agrees with itself but is signed by a key the demo store's signed policy
    does not name: Verify names its first row and the key; Re-sync puts the service's back."""
    services = desktop.controller.services
    assert services is not None
    forger = Ed25519PrivateKey.generate()
    address, _, _ = fill_wallet(services, 12, key=forger)
    page = open_page(desktop, qtbot)
    with qtbot.waitSignal(page.wallet.verified, timeout=20000) as bad:
        page.verify_button.click()
    problem = bad.args[0].problem
    assert problem is not None and (problem.kind.value, problem.seq) == ("forged", 1)
    qtbot.waitUntil(lambda: page.problem_card.isVisibleTo(page), timeout=5000)
    assert public_key_hex(forger)[:16] in page.problem_text.text()
    with qtbot.waitSignal(page.wallet.changed, timeout=30000):
        page.resync_button.click()
    with qtbot.waitSignal(page.wallet.verified, timeout=20000) as good:
        page.verify_button.click()
    assert good.args[0].ok
    qtbot.waitUntil(lambda: not page.problem_card.isVisibleTo(page), timeout=5000)
    assert services.wallet.balances().totals["IA"].units == 0  # the forged 1.6 IA are gone (kept aside)
    assert len(services.wallet.ledger.quarantined()) == 12


def test_a_total_raised_behind_imapps_back_shows_as_failed_not_as_money(desktop: DesktopApp,
                                                                         qtbot: QtBot) -> None:
    services = desktop.controller.services
    assert services is not None
    address, ledger_file, _ = fill_wallet(services, 6)
    page = open_page(desktop, qtbot)
    assert not page.problem_card.isVisibleTo(page)
    db = sqlite3.connect(ledger_file)
    db.execute("UPDATE totals SET amount = amount * 100 WHERE asset = 'IA'")
    db.commit()
    db.close()
    with qtbot.waitSignal(page.wallet.changed, timeout=20000):  # the page read again (no Verify)
        page.wallet.load(create=False)
    qtbot.waitUntil(lambda: page.problem_card.isVisibleTo(page), timeout=5000)
    assert "totals differ" in page.problem_text.text() and "Nothing can be spent" in page.problem_text.text()


def test_restore_dialog_names_the_wrong_word_and_the_checksum(desktop: DesktopApp, qtbot: QtBot) -> None:
    dialog = RestoreDialog(desktop.window, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
    qtbot.addWidget(dialog)
    dialog.edit.setPlainText(ABANDON.replace("abandon abandon abandon", "abandon abandon abandn", 1))
    dialog.check()
    assert "Word 3 is not a seed word" in dialog.status.text() and "abandon" in dialog.status.text()
    assert not dialog.restore_button.isEnabled()
    dialog.edit.setPlainText("abandon " * 12)
    dialog.check()
    assert "checksum" in dialog.status.text() and not dialog.restore_button.isEnabled()
    dialog.edit.setPlainText("abandon " * 5)
    dialog.check()
    assert "5 words so far" in dialog.status.text()
    dialog.edit.setPlainText("  " + ABANDON.upper() + "\n")
    dialog.check()
    assert dialog.restore_button.isEnabled() and dialog.words is not None and len(dialog.words) == 12


def test_restore_replaces_the_wallet_after_confirmation(desktop: DesktopApp, qtbot: QtBot) -> None:
    page = open_page(desktop, qtbot)
    from appstore.core.wallet.keys import parse_words

    with qtbot.waitSignal(page.wallet.changed, timeout=20000):
        page.wallet.restore(parse_words(ABANDON), True, on_done=lambda _: None)
    qtbot.waitUntil(lambda: page.address.text() == "15STpNCgsJkDPRseRkXDTPMvG1U4w9QkBh", timeout=5000)


def test_backup_shows_the_words_numbered(desktop: DesktopApp, qtbot: QtBot) -> None:
    page = open_page(desktop, qtbot)
    got: list[object] = []
    page.wallet.words(got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    dialog = BackupDialog(page, got[0])  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    assert len(dialog.word_labels) == 12
    assert dialog.word_labels[0].text().startswith(" 1. ")
    assert "Anyone who sees these words" in BackupDialog.warning_text()


def test_the_passphrase_is_asked_on_the_gui_thread_for_a_worker(desktop: DesktopApp, qtbot: QtBot) -> None:
    bridge = desktop.window.wallet.bridge
    asked_on: list[threading.Thread] = []

    def dialog(request: PassphraseRequest) -> str:
        asked_on.append(threading.current_thread())
        return "typed" if not request.new else "new one"

    bridge.dialog = dialog
    answers: list[str | None] = []
    worker = threading.Thread(target=lambda: answers.append(
        bridge.ask(PassphraseRequest(False, Path("/x/seed.enc")))))
    worker.start()
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    worker.join()
    assert answers == ["typed"] and asked_on == [threading.main_thread()]


def test_a_question_its_asker_gave_up_on_is_never_shown(desktop: DesktopApp, qtbot: QtBot) -> None:
    """A job cancelled (the app closing, the page gone) before the GUI thread got to its
    question: the dialog must not open later, with nobody waiting for its answer."""
    bridge = desktop.window.wallet.bridge
    shown: list[PassphraseRequest] = []
    bridge.dialog = lambda request: shown.append(request) or "typed"  # type: ignore[func-returns-value]
    started, returned = threading.Event(), threading.Event()
    answers: list[str | None] = []

    def run(ctx: object) -> None:
        started.set()
        answers.append(bridge.ask(PassphraseRequest(False, Path("/x/seed.enc"))))
        returned.set()

    job = desktop.controller.jobs.submit(run, lane="io", title="a question")
    # The GUI thread delivers nothing while it waits here: the asker gives up first.
    assert started.wait(10)
    job.cancel()
    assert returned.wait(10) and answers == [None]
    events_delivered(qtbot)
    assert shown == []


def test_an_activity_earns_ia_from_the_embedded_service_and_swaps(desktop: DesktopApp, qtbot: QtBot) -> None:
    """Sharing an app records a forward; the demo store's service (embedded, over HTTP on
    127.0.0.1) credits it; the notice says so; the swap dialog quotes and swaps."""
    from appstore.core.activity import Activity
    from appstore.ui.walletrewards import SwapDialog

    page = open_page(desktop, qtbot)
    notices: list[str] = []
    page.wallet.notice.connect(notices.append)
    view = desktop.controller.view
    assert view is not None
    desktop.controller.record(Activity.FORWARD, view.find("org.imapp.charity").app)
    qtbot.waitUntil(lambda: bool(notices), timeout=30000)
    assert notices[0] == "+1 IA — shared Open Charity", notices
    qtbot.waitUntil(lambda: page.balance_labels["IA"].text() == "1 IA", timeout=10000)
    desktop.controller.record(Activity.FORWARD, view.find("org.imapp.charity").app)  # once a day
    qtbot.waitUntil(lambda: len(notices) == 2, timeout=30000)
    assert notices[1] == "No IA for shared Open Charity: already credited"
    qtbot.waitUntil(lambda: page.swap_button.isEnabled() and bool(page.rewards.rows), timeout=20000)
    assert page.rewards.rows[0].status.kinds["forward"].count == 1
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    assert page.model.data(page.model.index(0, 3)) == "Sharing an app · Open Charity"

    dialog = SwapDialog(page, page.wallet, page.rewards.rows[0], 100_000_000)
    qtbot.addWidget(dialog)
    assert dialog.rate.text().endswith(" BCD per IA")  # the published rate, before any quote
    dialog.amount.setText("2")
    qtbot.waitUntil(lambda: "more than" in dialog.status.text(), timeout=5000)
    assert dialog.receive.text() == "—" and dialog.fee.text() == "—"
    dialog.amount.setText("1")
    # at once, while the quote is on its way: a sign that it is coming, not dashes
    assert dialog.receive.text() == "Getting a quote…" and dialog.fee.text() == "…"
    assert dialog.status.text() == "Asking the store for a quote…"
    qtbot.waitUntil(lambda: dialog.confirm.isEnabled(), timeout=20000)
    assert dialog.receive.text() == "0.00997 BCD" and dialog.fee.text() == "0.003 IA"
    assert dialog.expires.text().endswith(" s")
    dialog.confirm.click()
    qtbot.waitUntil(lambda: dialog.done_receipts is not None, timeout=20000)
    qtbot.waitUntil(lambda: page.balance_labels["BCD"].text() == "0.00997 BCD", timeout=10000)
    assert page.balance_labels["IA"].text() == "0 IA"


def test_the_wheel_over_a_filter_scrolls_the_page_not_the_filter(desktop: DesktopApp, qtbot: QtBot) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    page = open_page(desktop, qtbot)
    desktop.window.resize(900, 600)
    qtbot.waitUntil(lambda: page.verticalScrollBar().maximum() > 0, timeout=5000)
    bar = page.verticalScrollBar()
    before = bar.value()
    combo = page.asset_filter
    assert not combo.hasFocus()
    wheel = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(combo, wheel)
    assert combo.currentIndex() == 0 and bar.value() > before
