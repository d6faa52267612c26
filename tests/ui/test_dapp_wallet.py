"""``window.imapp`` end to end: the real app offscreen on the demo store, its DApps installed by
the real library and opened in the real host (QtWebEngine), their page scripts calling the
provider; the native confirmation dialogs answered by clicking them; payments made through the
demo store's IA service on 127.0.0.1. The host "process" runs inside the test's process
(``hostkit``: the real agent, through the real messages) so that pages and dialogs can be driven;
``test_host_process.py`` checks the same seam across a real process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from appstore.core.ia.protocol import make_request
from appstore.core.wallet.signing import dapp_message_purpose, decode_signature, verify_signed_by
from appstore.ui.app import DesktopApp
from appstore.ui.host import confirm
from appstore.ui.host.confirm import ConfirmDialog
from appstore.ui.host.window import DAppWindow
from tests.ui.conftest import make_desktop
from tests.ui.hostkit import Loopback, in_process, local_window
from tests.ui.test_host import LOAD_TIMEOUT, js, js_await

CHARITY = "org.imapp.charity"
PARTS = "org.imapp.partstrace"
PAYEE = "1CbgLUPfHWnm81HFBmYeP5Dhxm2cLPjtaU"  # Open Charity's payee in the demo catalogue


@pytest.fixture
def desktop(qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    monkeypatch.setattr(confirm, "DELAY_MS", 200)  # the delay itself has its own test
    d = make_desktop(qtbot, data)
    host = d.installs.host()
    assert host is not None
    loopbacks[id(d)] = in_process(host)
    yield d
    d.window.close()
    host.close_all()
    loopbacks.pop(id(d), None)


loopbacks: dict[int, dict[str, Loopback]] = {}


def services(desktop: DesktopApp) -> Any:
    s = desktop.controller.services
    assert s is not None
    return s


def ia(desktop: DesktopApp, store: str = "demo") -> int:
    return int(services(desktop).wallet.ledger.balances(store).get("IA", 0))


def open_dapp(desktop: DesktopApp, qtbot: QtBot, app_id: str) -> DAppWindow:
    """Install ``app_id`` and open it from the GUI; wait for the rewards both earn (the demo
    policy: 5 IA for the download, 2 for the open) to be credited: 7 IA to spend."""
    s = services(desktop)
    view = desktop.controller.view
    assert view is not None
    app = view.find(app_id).app
    s.wallet.address(create=True)
    qtbot.waitUntil(lambda: desktop.installs.loaded, timeout=20000)
    desktop.installs.install(app)
    qtbot.waitUntil(lambda: f"{app.store}/{app_id}" in desktop.installs.installed, timeout=30000)
    installed = desktop.installs.installed[f"{app.store}/{app_id}"]
    desktop.installs.open_installed(installed, app)
    qtbot.waitUntil(lambda: ia(desktop, app.store) == 7 * 10 ** s.wallet.decimals("IA", app.store),
                    timeout=30000)
    key = f"{app.store}/{app_id}"
    qtbot.waitUntil(lambda: local_window(loopbacks[id(desktop)], key) is not None, timeout=LOAD_TIMEOUT)
    window = local_window(loopbacks[id(desktop)], key)
    assert window is not None
    # (the window's first document is an empty one, complete at once: wait for the DApp's)
    qtbot.waitUntil(lambda: js(qtbot, window.page, "location.protocol + document.readyState")
                    == "imapp-dapp:complete", timeout=LOAD_TIMEOUT)
    return window


def dialogs() -> list[ConfirmDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ConfirmDialog) and w.isVisible()]


def answer(qtbot: QtBot, yes: bool) -> ConfirmDialog:
    """Wait for the wallet's question and click Confirm (once it is enabled) or Cancel."""
    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=20000)
    dialog = dialogs()[0]
    if yes:
        qtbot.waitUntil(dialog.confirm_button.isEnabled, timeout=5000)
        dialog.confirm_button.click()
    else:
        dialog.cancel_button.click()
    return dialog


def call(window: DAppWindow, method: str, params: Any = None) -> None:
    """Start a request in the page; its outcome lands in ``window.__out``."""
    args = {"method": method} if params is None else {"method": method, "params": params}
    window.page.runJavaScript(
        "window.__out = undefined; imapp.request(" + json.dumps(args) + ")"
        ".then(v => { window.__out = JSON.stringify({ok: v}); },"
        " e => { window.__out = JSON.stringify({code: e.code, message: e.message, data: e.data}); });")


def outcome(qtbot: QtBot, window: DAppWindow, timeout: int = 30000) -> dict[str, Any]:
    qtbot.waitUntil(lambda: js(qtbot, window.page, "window.__out !== undefined"), timeout=timeout)
    got: dict[str, Any] = json.loads(js(qtbot, window.page, "window.__out"))
    return got


def connect(qtbot: QtBot, window: DAppWindow) -> str:
    call(window, "imapp_requestAccounts")
    answer(qtbot, True)
    got = outcome(qtbot, window)
    assert "ok" in got, got
    return str(got["ok"][0])


# -- the methods -------------------------------------------------------------------------------

def test_a_page_script_calls_every_method_and_pays(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    s = services(desktop)
    address = s.wallet.address()
    page = window.page
    assert json.loads(js(qtbot, page, "JSON.stringify(imapp.methods)")) == [
        "imapp_requestAccounts", "imapp_accounts", "imapp_balance", "imapp_pay"]

    call(window, "imapp_accounts")
    assert outcome(qtbot, window) == {"ok": []}  # not connected: no account, no question
    call(window, "imapp_balance")
    assert outcome(qtbot, window)["code"] == 4100
    call(window, "imapp_signMessage", ["hello"])  # Open Charity has no wallet.sign
    got = outcome(qtbot, window)
    assert got["code"] == 4200 and "wallet.sign" in got["message"]
    call(window, "eth_sendTransaction", [{}])
    assert outcome(qtbot, window)["code"] == 4200

    page.runJavaScript("window.__events = []; imapp.on('accountsChanged', a => __events.push(a));")
    assert connect(qtbot, window) == address
    qtbot.waitUntil(lambda: json.loads(js(qtbot, page, "JSON.stringify(__events)")) == [[address]])
    call(window, "imapp_accounts")
    assert outcome(qtbot, window) == {"ok": [address]}
    call(window, "imapp_requestAccounts")  # connected: no second question
    assert outcome(qtbot, window) == {"ok": [address]} and not dialogs()
    call(window, "imapp_balance")
    assert outcome(qtbot, window) == {"ok": {"BCD": "0", "IA": "7"}}

    call(window, "imapp_pay", {"amount": "2.5", "memo": "Open Charity: Winter coats"})
    dialog = answer(qtbot, True)
    shown = dialog.ask
    assert (shown.kind, shown.amount, shown.payee, shown.after, shown.dapp) == (
        "pay", "2.5", PAYEE, "4.5", "Open Charity")
    assert shown.store == "imapp Demo Store" and shown.account == address
    got = outcome(qtbot, window)["ok"]
    assert got["amount"] == "2.5" and got["asset"] == "IA" and len(got["receipt"]) == 64

    # the payer's receipt is in the ledger, named after the DApp in the history
    receipts = s.wallet.history(kind="payment")
    assert len(receipts) == 1
    decimals = s.wallet.decimals("IA", receipts[0].store)
    assert (receipts[0].amount, receipts[0].reference, receipts[0].hash) == (
        -25 * 10 ** (decimals - 1), f"to:{PAYEE}:{CHARITY}", got["receipt"])
    # the payee got its receipt from the same service
    url = s.embedded_url(receipts[0].store)
    payee_side = requests.get(f"{url}/v1/accounts/{PAYEE}/receipts", timeout=10).json()["receipts"]
    assert [(r["kind"], r["reference"]) for r in payee_side] == [("payment", f"from:{address}:{CHARITY}")]
    assert payee_side[0]["amount"] == -receipts[0].amount
    call(window, "imapp_balance")
    assert outcome(qtbot, window) == {"ok": {"BCD": "0", "IA": "4.5"}}

    desktop.window.show_page("wallet")
    wallet_page = desktop.window.wallet_page
    model = wallet_page.model
    qtbot.waitUntil(lambda: model.loaded_once and model.rowCount() >= 2, timeout=20000)
    assert wallet_page.model.data(wallet_page.model.index(0, 3)) == "Paid to Open Charity"
    qtbot.waitUntil(lambda: wallet_page.balance_labels["IA"].text() == "4.5 IA", timeout=10000)


def test_refusals_rejections_and_a_page_supplied_address(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    call(window, "imapp_pay", {"amount": "1"})
    assert outcome(qtbot, window)["code"] == 4100  # not connected
    call(window, "imapp_requestAccounts")
    answer(qtbot, False)
    assert outcome(qtbot, window) == {"code": 4001, "message": "User rejected the request."}
    connect(qtbot, window)

    other = services(desktop).wallet.address()
    for params in ({"amount": "1", "to": PAYEE}, {"amount": "1", "payee": other},
                   [{"amount": "1", "address": PAYEE}]):
        call(window, "imapp_pay", params)
        got = outcome(qtbot, window)
        assert got["code"] == 4100 and "takes no" in got["message"], got
        assert not dialogs()
    for params, words in (({"amount": 1}, "string"), ({"amount": "1", "memo": 'say "hi"'}, "quotes"),
                          ({"amount": "-1"}, "negative"), ({"amount": "1", "extra": 1}, "not 'extra'"),
                          ({"amount": "0.000000001"}, "decimal")):
        call(window, "imapp_pay", params)
        got = outcome(qtbot, window)
        assert got["code"] == -32602 and words in got["message"], (params, got)
    call(window, "imapp_pay", {"amount": "8"})  # 7 IA in the wallet: refused before asking
    got = outcome(qtbot, window)
    assert got["code"] == 4300 and got["data"] == {"balance": "7"} and not dialogs()

    call(window, "imapp_pay", {"amount": "1"})
    answer(qtbot, False)
    assert outcome(qtbot, window)["code"] == 4001
    assert services(desktop).wallet.history(kind="payment") == []


def test_signatures_verify_and_are_no_requests_to_the_service(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, PARTS)
    s = services(desktop)
    assert "imapp_pay" not in json.loads(js(qtbot, window.page, "JSON.stringify(imapp.methods)"))
    call(window, "imapp_pay", {"amount": "1"})
    assert outcome(qtbot, window)["code"] == 4200
    address = connect(qtbot, window)
    store = window.identity.store

    # a message that is, word for word, a request to the IA service
    request = make_request(s.wallet.account(), store, "claim", {"claims": []},
                           service_key=s.rewards.policy(store).service_key)
    message = json.dumps(request["payload"], sort_keys=True, separators=(",", ":"))
    call(window, "imapp_signMessage", [message])
    dialog = answer(qtbot, True)
    assert dialog.ask.message == message
    signed = outcome(qtbot, window)["ok"]
    purpose = dapp_message_purpose(store, PARTS)
    assert signed["purpose"] == purpose and signed["address"] == address
    assert verify_signed_by(address, bytes.fromhex(signed["publicKey"]), purpose, {"message": message},
                            decode_signature(signed["signature"]))
    # the page checks it by itself too (its own secp256k1, RIPEMD-160 and Base58Check)
    check = js_await(qtbot, window.page, "imappWallet.verify(" + json.dumps(signed) + ", "
                     + json.dumps(message) + ", " + json.dumps(purpose) + ")")
    assert check == {"ok": True}
    forged = dict(signed, message=message + " ")
    assert js_await(qtbot, window.page, "imappWallet.verify(" + json.dumps(forged) + ", "
                    + json.dumps(message + " ") + ", " + json.dumps(purpose) + ")") == {"ok": False}

    # replayed as the request it spells: the service refuses the signature
    replay = dict(request, signature=signed["signature"])
    url = s.embedded_url(store)
    answer_ = requests.post(f"{url}/v1/claims", data=json.dumps(replay), timeout=10,
                            headers={"Content-Type": "application/json"})
    assert answer_.status_code in (400, 401) and "signature" in answer_.text
    genuine = requests.post(f"{url}/v1/claims", data=json.dumps(request), timeout=10)
    assert genuine.status_code == 400 and "signature" not in genuine.text  # (it had no claims)


def test_revoking_a_connection_takes_effect_at_once(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    page = window.page
    address = connect(qtbot, window)
    page.runJavaScript("window.__ev = []; imapp.on('accountsChanged', a => __ev.push(['accounts', a]));"
                       "imapp.on('disconnect', e => __ev.push(['disconnect', e.code]));")
    desktop.window.show_page("settings")
    settings = desktop.window.settings_page
    qtbot.waitUntil(lambda: [c.key for c in settings.connections] == [window.key], timeout=10000)
    assert settings.connections[0].account == address
    settings.revoke_connection(window.key)
    qtbot.waitUntil(lambda: json.loads(js(qtbot, page, "JSON.stringify(__ev)")) == [
        ["accounts", []], ["disconnect", 4900]], timeout=10000)
    call(window, "imapp_balance")  # at once, before the file is written
    assert outcome(qtbot, window)["code"] == 4100
    call(window, "imapp_accounts")
    assert outcome(qtbot, window) == {"ok": []}
    qtbot.waitUntil(lambda: services(desktop).paths.root.joinpath("dapps", "connections.json").is_file())
    saved = json.loads(services(desktop).paths.root.joinpath("dapps", "connections.json").read_text())
    assert saved["connections"] == {}
    connect(qtbot, window)  # asks again
    qtbot.waitUntil(lambda: len(settings.connections) == 1, timeout=10000)


def test_a_flood_of_requests_neither_freezes_nor_piles_up_dialogs(desktop: DesktopApp, qtbot: QtBot) -> None:
    """1,000 requests at once. The GUI thread's longest stretch of work between two ticks of a
    5 ms timer is measured in CPU time of that thread (wall time also counts moments when a
    shared machine ran something else)."""
    window = open_dapp(desktop, qtbot, CHARITY)
    longest = {"cpu": 0.0, "wall": 0.0}
    last = [time.thread_time(), time.perf_counter()]

    def tick() -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        longest["cpu"] = max(longest["cpu"], (cpu - last[0]) * 1000)
        longest["wall"] = max(longest["wall"], (wall - last[1]) * 1000)
        last[:] = [cpu, wall]

    ticker = QTimer(interval=5)
    ticker.timeout.connect(tick)
    window.page.runJavaScript("""window.__codes = {}; window.__n = 0;
      for (let i = 0; i < 1000; i++) {
        const m = i % 2 ? "imapp_accounts" : "imapp_requestAccounts";
        imapp.request({method: m}).then(() => { __codes.ok = (__codes.ok || 0) + 1; },
          e => { __codes[e.code] = (__codes[e.code] || 0) + 1; }).finally(() => { __n++; });
      }""")
    ticker.start()
    seen = {"dialogs": 0}  # the most dialogs open at once, looked at on every poll

    def answered() -> bool:
        seen["dialogs"] = max(seen["dialogs"], len(dialogs()))
        return bool(js(qtbot, window.page, "__n") >= 999)

    qtbot.waitUntil(answered, timeout=60_000)
    ticker.stop()
    most_dialogs = seen["dialogs"]
    codes = json.loads(js(qtbot, window.page, "JSON.stringify(__codes)"))
    assert most_dialogs == 1 and len(dialogs()) == 1  # one question; the rest refused
    assert codes.get("4290", 0) > 900 and codes.get("-32002", 0) >= 1, codes
    assert longest["cpu"] <= 50, f"the GUI thread worked {longest['cpu']:.0f} ms at a stretch ({longest})"
    assert "paused" in window.statusBar().currentMessage()
    answer(qtbot, False)
    qtbot.waitUntil(lambda: js(qtbot, window.page, "__n") == 1000, timeout=10000)


# -- the dialog ----------------------------------------------------------------------------------

def test_confirm_waits_and_cancel_is_the_default(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    ask = confirm.WalletAsk("pay", "Open Charity", "imapp Demo Store", "1Me", amount="2",
                            payee=PAYEE, memo="coats", after="3")
    answers: list[bool] = []
    dialog = confirm.ask_wallet(parent, ask, answers.append)
    assert isinstance(dialog, ConfirmDialog)
    qtbot.waitExposed(dialog)
    assert not dialog.confirm_button.isEnabled()  # a click meant for the page cannot land on it
    assert dialog.cancel_button.isDefault() and not dialog.confirm_button.isDefault()
    texts = " ".join(w.text() for w in dialog.findChildren(QLabel))
    for shown in ("Open Charity", "imapp Demo Store", "2 IA", PAYEE, "coats", "3 IA", "1Me"):
        assert shown in texts, shown
    qtbot.waitUntil(dialog.confirm_button.isEnabled, timeout=confirm.DELAY_MS + 3000)
    dialog.confirm_button.click()
    assert answers == [True]


@pytest.mark.parametrize("app_id", [CHARITY, PARTS])
def test_demo_dapps_use_the_wallet_and_cope_with_a_refusal(desktop: DesktopApp, qtbot: QtBot,
                                                           app_id: str) -> None:
    window = open_dapp(desktop, qtbot, app_id)
    page = window.page
    if app_id == CHARITY:
        page.runJavaScript("donate('Wang Fang', 1, '2.50')")
        answer(qtbot, True)  # connect
        answer(qtbot, False)  # the payment
        qtbot.waitUntil(lambda: "nothing was paid" in js(qtbot, page, "$('err').textContent"), timeout=10000)
        page.runJavaScript("donate('Wang Fang', 1, '2.50')")
        answer(qtbot, True)
        qtbot.waitUntil(lambda: "Thank you" in js(qtbot, page, "$('thanks').textContent"), timeout=30000)
        row = js(qtbot, page, "$('ledger').rows[0].innerText")
        assert "Wang Fang" in row and "receipt" in row and "2.50 IA" in row
        receipt = services(desktop).wallet.history(kind="payment")[0]
        assert receipt.hash[:16] in row
        qtbot.waitUntil(lambda: "4.5 IA available" in js(qtbot, page, "$('bal').textContent"), timeout=10000)
    else:
        page.runJavaScript("signDemo()")
        answer(qtbot, True)  # connect
        answer(qtbot, False)  # the signature
        qtbot.waitUntil(lambda: "you cancelled" in js(qtbot, page, "$('serr').textContent"), timeout=10000)
        page.runJavaScript("signOff('BRK-2026-00417', 0)")
        dialog = answer(qtbot, True)
        assert "BRK-2026-00417" in dialog.ask.message
        qtbot.waitUntil(lambda: "signature verified" in js(qtbot, page, "$('tl').innerText"), timeout=30000)
        address = services(desktop).wallet.address()
        assert f"Signed by {address}" in js(qtbot, page, "$('tl').innerText")
    assert page.errors == []


def test_a_question_closed_with_its_window_is_a_refusal(desktop: DesktopApp, qtbot: QtBot) -> None:
    """The page closes its own window while the question is open: the question goes, and the
    DApp reopened can ask again (nothing waits for a dialog that no longer exists)."""
    window = open_dapp(desktop, qtbot, CHARITY)
    call(window, "imapp_requestAccounts")
    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=20000)
    window.page.runJavaScript("window.close()")
    qtbot.waitUntil(lambda: not dialogs(), timeout=10000)
    host = desktop.installs.host()
    assert host is not None
    qtbot.waitUntil(lambda: host.window_for(window.key) is None, timeout=10000)
    again = open_dapp(desktop, qtbot, CHARITY)
    assert connect(qtbot, again) == services(desktop).wallet.address()


def test_revoking_while_a_question_is_open_refuses_it(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    connect(qtbot, window)
    call(window, "imapp_pay", {"amount": "1"})
    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=20000)
    desktop.installs.wallet_access.revoke(window.key)
    answer(qtbot, True)  # too late: the user disconnected it meanwhile
    assert outcome(qtbot, window)["code"] == 4100
    assert services(desktop).wallet.history(kind="payment") == []


def test_hostile_requests_get_errors_not_bugs(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    page = window.page
    # fits in a request, but nested deeper than parsers allow: sent straight to imapp's world,
    # as a page can, past window.imapp's own checks
    page.runJavaScript("window.__out = undefined; document.addEventListener('imapp:response', e => {"
                       " if (e.detail.startsWith('777:')) window.__out = e.detail.slice(4); });"
                       "document.dispatchEvent(new CustomEvent('imapp:request', {detail: '777:' + "
                       "'{\"method\":\"imapp_accounts\",\"params\":' + '['.repeat(4000) + "
                       "']'.repeat(4000) + '}'}));")
    got = outcome(qtbot, window)
    assert got["error"]["code"] == -32602 and "nested" in got["error"]["message"], got
    call(window, "imapp_signMessage", ["x" * 100_000])  # refused in the page's process, before Qt
    got = outcome(qtbot, window)
    assert got["code"] == -32602 and "at most 16384" in got["message"]
    # the page cannot reach Qt's channel, nor fake an answer into imapp's world
    assert js(qtbot, page, "typeof qt + ' ' + typeof imappBridge") == "undefined undefined"
    call(window, "imapp_accounts")
    assert outcome(qtbot, window) == {"ok": []}
    assert desktop.window.banner.isHidden()  # no "unexpected problem" for the user


def test_a_new_account_tells_open_pages(desktop: DesktopApp, qtbot: QtBot) -> None:
    window = open_dapp(desktop, qtbot, CHARITY)
    connect(qtbot, window)
    window.page.runJavaScript("window.__ev = []; imapp.on('accountsChanged', a => __ev.push(a));")
    access = desktop.installs.wallet_access
    access.account_seen(services(desktop).wallet.address())
    access.account_seen("1BoatSLRHtKNngkdXEeobR76b53LETtpyT")  # restored to another account
    qtbot.waitUntil(lambda: json.loads(js(qtbot, window.page, "JSON.stringify(__ev)")) == [[]], timeout=10000)


def test_a_catalogue_name_is_never_markup_in_the_dialog(qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    ask = confirm.WalletAsk("pay", "<font color=white>Evil</font> Co", "<i>Store</i>", "1Me", amount="2",
                            payee=PAYEE, after="3")
    dialog = ConfirmDialog(ask)
    qtbot.addWidget(dialog)
    rich = [w for w in dialog.findChildren(QLabel) if w.textFormat() != Qt.TextFormat.PlainText]
    assert [w.objectName() for w in rich] == ["walletConfirmWho"]
    assert "&lt;font color=white&gt;Evil&lt;/font&gt; Co" in rich[0].text() and "&lt;i&gt;" in rich[0].text()
    title = dialog.findChild(QLabel, "walletConfirmTitle")
    assert title is not None and title.text() == "Pay 2 IA to <font color=white>Evil</font> Co?"
