"""Withdraw on the Wallet page, through the demo store's embedded IA service over HTTP: BCD got
by a real swap of IA earned by sharing an app, then withdrawn to an address; the dialog's checks
of the address and the amount, Max, the confirmation step, and the receipt in the history."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from appstore.core.wallet.address import LOOKALIKE_NOTE
from appstore.ui.app import DesktopApp
from appstore.ui.walletpage import WalletPage
from appstore.ui.walletwithdraw import WithdrawDialog
from tests.ui.test_wallet_page import desktop, open_page  # noqa: F401 - (the fixture)

ADDRESS = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"


def earn_and_swap(desktop: DesktopApp, qtbot: QtBot) -> WalletPage:  # noqa: F811
    """1 IA for sharing Open Charity, swapped for 0.00997 BCD (the demo store's rate and fee)."""
    from appstore.core.activity import Activity
    from appstore.ui.walletrewards import SwapDialog

    page = open_page(desktop, qtbot)
    view = desktop.controller.view
    assert view is not None
    desktop.controller.record(Activity.FORWARD, view.find("org.imapp.charity").app)
    qtbot.waitUntil(lambda: page.balance_labels["IA"].text() == "1 IA", timeout=30000)
    qtbot.waitUntil(lambda: page.swap_button.isEnabled() and bool(page.rewards.rows), timeout=20000)
    assert not page.withdraw_button.isEnabled()  # no BCD yet
    swap = SwapDialog(page, page.wallet, page.rewards.rows[0], 100_000_000)
    qtbot.addWidget(swap)
    swap.amount.setText("1")
    qtbot.waitUntil(lambda: swap.confirm.isEnabled(), timeout=20000)
    swap.confirm.click()
    qtbot.waitUntil(lambda: swap.done_receipts is not None, timeout=20000)
    qtbot.waitUntil(lambda: page.balance_labels["BCD"].text() == "0.00997 BCD", timeout=10000)
    qtbot.waitUntil(page.withdraw_button.isEnabled, timeout=5000)
    return page


def test_withdraw_checks_the_address_and_amount_and_records_the_receipt(desktop: DesktopApp,  # noqa: F811
                                                                         qtbot: QtBot) -> None:
    page = earn_and_swap(desktop, qtbot)
    assert page._bcd_store() == ("demo", 99_700)
    dialog = WithdrawDialog(page, page.wallet, "demo", "Demo Store", 99_700)
    qtbot.addWidget(dialog)
    assert dialog.lookalike.text() == LOOKALIKE_NOTE  # the core's warning, in the GUI's words
    assert not dialog.confirm.isEnabled()

    dialog.amount.setText("0.005")
    for bad, why in [("0BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "“0”"),
                     ("1BgGZ9tc", "25 to 35 characters"),
                     ("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMi", "checksum"),
                     # a valid Base58Check string of another version: a testnet address
                     ("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "other kind")]:
        dialog.address.setText(bad)
        assert why in dialog.status.text(), (bad, dialog.status.text())
        assert not dialog.confirm.isEnabled()

    dialog.address.setText(ADDRESS)
    assert dialog.confirm.isEnabled()
    for bad, why in [("0.01", "more than the 0.00997 BCD"), ("0.000000001", "7 decimal places"),
                     ("abc", "not an amount"), ("0", "more than 0")]:
        dialog.amount.setText(bad)
        assert why in dialog.status.text(), (bad, dialog.status.text())
        assert not dialog.confirm.isEnabled()

    dialog.max_button.click()
    assert dialog.amount.text() == "0.00997" and dialog.units == 99_700 and dialog.confirm.isEnabled()
    dialog.amount.setText("0.005")
    dialog.confirm.click()  # first the confirmation, naming the store, the amount and the address
    assert dialog.confirming and dialog.receipt is None
    text = dialog.status.text()
    assert "0.005 BCD" in text and "Demo Store" in text and ADDRESS in text
    assert dialog.confirm.text() == "Confirm withdrawal"
    dialog.confirm.click()
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=20000)
    assert dialog.receipt.kind == "withdrawal" and dialog.receipt.amount == -50_000
    qtbot.waitUntil(lambda: page.balance_labels["BCD"].text() == "0.00497 BCD", timeout=10000)
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and model.rows[0].kind == "withdrawal", timeout=10000)
    assert model.data(model.index(0, 1)) == "Withdrawal"
    assert model.data(model.index(0, 2)) == "−0.005 BCD"
    assert model.data(model.index(0, 3)) == f"Requested to {ADDRESS}"


def test_a_refusal_of_the_service_is_said_in_the_dialog(desktop: DesktopApp, qtbot: QtBot) -> None:  # noqa: F811
    """The dialog allows what the page last read; the service decides: asking for more than the
    account holds is refused (insufficient), said in words, and nothing is recorded."""
    page = earn_and_swap(desktop, qtbot)
    dialog = WithdrawDialog(page, page.wallet, "demo", "Demo Store", 10_000_000)  # more than held
    qtbot.addWidget(dialog)
    dialog.address.setText(ADDRESS)
    dialog.amount.setText("1")
    dialog.confirm.click()
    dialog.confirm.click()
    qtbot.waitUntil(lambda: "too low" in dialog.status.text(), timeout=20000)
    assert dialog.receipt is None and dialog.address.isEnabled()
    assert page.balance_labels["BCD"].text() == "0.00997 BCD"


def test_the_history_words_a_swap_and_its_columns_hold_once_filtered(desktop: DesktopApp,  # noqa: F811
                                                                    qtbot: QtBot) -> None:
    page = earn_and_swap(desktop, qtbot)
    model, table = page.model, page.table
    qtbot.waitUntil(lambda: sum(r.kind == "swap" for r in model.rows) == 2, timeout=10000)
    swaps = [i for i, r in enumerate(model.rows) if r.kind == "swap"]
    for i in swaps:  # both halves say what was swapped, not "quote:…"
        assert model.data(model.index(i, 3)) == "Swap: 1 IA → 0.00997 BCD"
        assert model.data(model.index(i, 1)) == "Swap"

    page.kind_filter.setCurrentIndex(page.kind_filter.findData("swap"))
    page.asset_filter.setCurrentIndex(page.asset_filter.findData("BCD"))
    qtbot.waitUntil(lambda: model.filters[:2] == ("BCD", "swap") and model.rowCount() == 1, timeout=10000)
    quote = model.rows[0].reference.removeprefix("quote:")
    assert model.data(model.index(0, 3)) == f"Swap (quote {quote[:8]})"  # its IA half is filtered out
    fm = table.fontMetrics()
    for column in (0, 1, 2, 4):  # each cell's text fits its column (no "20…", "Pa…")
        text = model.data(model.index(0, column))
        assert table.columnWidth(column) > fm.horizontalAdvance(text), (column, text)
        heading = model.headerData(column, Qt.Orientation.Horizontal)
        assert table.columnWidth(column) > fm.horizontalAdvance(heading)
    page.kind_filter.setCurrentIndex(page.kind_filter.findData("payment"))
    qtbot.waitUntil(lambda: model.filters[1] == "payment" and model.loaded_once and not model.rows,
                    timeout=10000)
    assert table.columnWidth(0) > fm.horizontalAdvance("2026-12-31 23:59")  # the empty table keeps them


def test_the_balance_chart_steps_at_each_receipt(desktop: DesktopApp, qtbot: QtBot) -> None:  # noqa: F811
    """A real ledger of receipts signed by the demo service's key: the drawn line has one
    vertical step per receipt of the asset, starts a week before now at the latest and runs
    on to now."""
    import time

    from tests.walletkit import fill_wallet

    services = desktop.controller.services
    assert services is not None
    address, _, receipts = fill_wallet(services, 12)
    page = open_page(desktop, qtbot)
    for asset in ("IA", "BCD"):
        page.chart_asset.setCurrentText(asset)
        (series,) = page.chart.chart.series()
        pts = series.points()
        steps = [(pts[i].x(), pts[i + 1].y() - pts[i].y()) for i in range(len(pts) - 1)
                 if pts[i].x() == pts[i + 1].x() and pts[i].y() != pts[i + 1].y()]
        mine = [r for r in receipts if r.asset == asset]
        scale = 10 ** page.snapshot.decimals[asset]  # type: ignore[union-attr]
        assert [round(d * scale) for _, d in steps] == [r.amount for r in mine]  # (floats: drawing only)
        now_ms = time.time() * 1000
        assert pts[0].x() <= now_ms - 7 * 86_400_000 and now_ms - pts[-1].x() < 3_600_000
        assert pts[-1].y() * scale == pytest.approx(sum(r.amount for r in mine))


def test_verify_says_its_result_on_the_page(desktop: DesktopApp, qtbot: QtBot) -> None:  # noqa: F811
    import sqlite3
    from datetime import datetime

    from tests.walletkit import fill_wallet

    services = desktop.controller.services
    assert services is not None
    address, ledger_file, _ = fill_wallet(services, 12)
    page = open_page(desktop, qtbot)
    assert not page.verified_line.isVisibleTo(page)
    before = datetime.now().strftime("%H:%M")
    with qtbot.waitSignal(page.wallet.verified, timeout=20000):
        page.verify_button.click()
    after = datetime.now().strftime("%H:%M")
    assert page.verified_line.isVisibleTo(page)
    assert page.verified_line.text() in {f"Verified: 12 receipts, all signatures good, at {t}"
                                         for t in (before, after)}
    db = sqlite3.connect(ledger_file)
    db.execute("UPDATE receipts SET amount = amount + 1 WHERE seq = 3")
    db.commit()
    db.close()
    with qtbot.waitSignal(page.wallet.verified, timeout=20000):
        page.verify_button.click()
    assert not page.verified_line.isVisibleTo(page)  # the problem card says it instead
    qtbot.waitUntil(lambda: page.problem_card.isVisibleTo(page), timeout=5000)
