"""``window.imapp`` requests from every DApp page, answered (docs/dapp-api.md).

On the GUI thread only what costs nothing: the rate limit, the shape of the request, the
permission, whether a question is already open. The wallet's work (the address, balances,
signatures, payments) runs on workers; questions to the user are dialogs opened without a
nested event loop. Answers go back through the page's bridge if the page is still there.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from appstore.core import wording
from appstore.core.errors import AppStoreError
from appstore.core.host.provider import (
    ASKS_USER,
    Call,
    Code,
    ProviderError,
    RateLimiter,
    Rejections,
    message_param,
    no_params,
    parse_call,
    paused,
    pay_params,
    quieted,
    rejected,
)
from appstore.core.logs import log
from appstore.ui import texts
from appstore.ui.controller import Controller

if TYPE_CHECKING:  # the dialogs load when a DApp first asks (the app's start does not wait for them)
    from appstore.core.host.wallet import DAppWallet, Payment
    from appstore.ui.host.bridge import DAppBridge
    from appstore.ui.host.confirm import WalletAsk


def ask_wallet(parent: QWidget | None, ask: WalletAsk, answer: Callable[[bool], None]) -> object:
    """The native question of ``confirm.py``."""
    from appstore.ui.host import confirm

    return confirm.ask_wallet(parent, ask, answer)


def _warm_up() -> None:
    """Build (and drop) one question while nothing happens: the first dialog of a run costs
    about 20 ms of fonts and styles, which a question asked in a busy moment should not add."""
    from appstore.ui.host.confirm import ConfirmDialog, WalletAsk

    dialog = ConfirmDialog(WalletAsk("sign", "", "", "", message="-"))
    dialog.ensurePolished()
    dialog.sizeHint()
    dialog.deleteLater()


@dataclass
class _DAppState:
    limiter: RateLimiter = field(default_factory=RateLimiter)
    rejections: Rejections = field(default_factory=Rejections)
    asking: bool = False


class WalletAccess(QObject):
    """Signals: ``wallet_changed()`` a DApp payment changed the balances; ``connections_changed()``
    a DApp was connected or disconnected; ``notice(str key, str text)`` a line for the DApp's
    window (it was paused).

    ``ask(parent, WalletAsk, answer)`` opens a question and calls ``answer(bool)`` later; it can
    be replaced (the default is the native dialog of ``confirm.py``)."""

    wallet_changed = Signal()
    connections_changed = Signal()
    notice = Signal(str, str)

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.ask: Callable[[QWidget | None, WalletAsk, Callable[[bool], None]], object] = ask_wallet
        self._wallet: DAppWallet | None = None
        self._states: dict[str, _DAppState] = {}
        self._bridges: weakref.WeakSet[DAppBridge] = weakref.WeakSet()
        self._revoked: set[str] = set()  # revoked on the GUI thread; the file follows on a worker
        self._account: str | None = None
        self._warmed = False

    @property
    def wallet(self) -> DAppWallet | None:
        services = self.controller.services
        if services is None:
            return None
        if self._wallet is None:
            from appstore.core.host.wallet import DAppWallet

            self._wallet = DAppWallet(services)
        return self._wallet

    def register(self, bridge: DAppBridge) -> None:
        self._bridges.add(bridge)
        if not self._warmed and bridge.methods:  # (while its window opens, a moment that is slow anyway)
            self._warmed = True
            _warm_up()

    def _state(self, key: str) -> _DAppState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = _DAppState()
        return state

    # -- requests ------------------------------------------------------------------------------
    def handle(self, bridge: DAppBridge, request_id: int, text: str) -> None:
        identity = bridge.dapp
        key = identity.key
        if not bridge.at_home():
            bridge.answer(request_id, error=ProviderError(
                Code.UNAUTHORIZED, f"Wallet requests come only from the DApp's own origin, "
                                   f"{identity.origin}"))
            return
        state = self._state(key)
        wait = state.limiter.take()
        if wait:
            if wait == state.limiter.pause:  # just paused: say so once
                log.info("dapp %s: too many wallet requests, paused for %.0f s", key, wait)
                self.notice.emit(key, self.tr("%1 sent too many wallet requests: paused for %2 s").replace(
                    "%1", bridge.name).replace("%2", str(round(wait))))
            bridge.answer(request_id, error=paused(wait))
            return
        try:
            call = parse_call(text, bridge.methods)
            if call.method in ASKS_USER:
                self._may_ask(bridge, state)
            job = self._prepare(bridge, call)
        except ProviderError as e:
            bridge.answer(request_id, error=e)
            return
        job(request_id)

    def _prepare(self, bridge: DAppBridge, call: Call) -> Callable[[int], None]:
        """The work for ``call`` (parameters checked now, on the GUI thread)."""
        m = call.method
        if m in ("imapp_accounts", "imapp_requestAccounts", "imapp_balance"):
            no_params(call)
        if m == "imapp_accounts":
            return lambda rid: self._accounts(bridge, rid)
        if m == "imapp_requestAccounts":
            return lambda rid: self._request_accounts(bridge, rid)
        if m == "imapp_balance":
            return lambda rid: self._connected(bridge, rid, lambda w, _: w.balance(bridge.dapp.store))
        if m == "imapp_signMessage":
            message = message_param(call)
            return lambda rid: self._sign(bridge, rid, message)
        if m == "imapp_pay":
            params = pay_params(call)
            return lambda rid: self._pay(bridge, rid, params.amount, params.memo)
        raise ProviderError(Code.UNSUPPORTED, f"{m} is not supported")  # (METHODS lists no more)

    def _submit(self, bridge: DAppBridge, request_id: int, work: Callable[[DAppWallet], Any],
                then: Callable[[Any], None] | None = None, *, lane: str = "io") -> None:
        wallet = self.wallet
        if wallet is None:
            bridge.answer(request_id, error=ProviderError(Code.DISCONNECTED, "The wallet is not ready yet"))
            return

        def done(result: Any) -> None:
            if then is not None:
                then(result)
            else:
                bridge.answer(request_id, result=result)

        def failed(message: str, error: BaseException) -> None:
            if isinstance(error, ProviderError):
                bridge.answer(request_id, error=error)
            else:
                bridge.answer(request_id, error=ProviderError(Code.INTERNAL, message))

        self.controller.jobs.submit(lambda ctx: work(wallet), lane=lane, title="a DApp's wallet request",
                                    on_done=done, on_error=failed)

    def _accounts(self, bridge: DAppBridge, request_id: int) -> None:
        key = bridge.dapp.key

        def done(address: str | None) -> None:
            bridge.answer(request_id, result=[address] if address and key not in self._revoked else [])

        self._submit(bridge, request_id, lambda w: w.connected(key, bridge.dapp.permissions), done)

    def _connected(self, bridge: DAppBridge, request_id: int, work: Callable[[DAppWallet, str], Any],
                   then: Callable[[str, Any], None] | None = None) -> None:
        """Run ``work(wallet, account)`` if the DApp is connected (else 4100); ``then(account,
        result)`` on the GUI thread, or the result is the answer."""
        key = bridge.dapp.key

        def run(w: DAppWallet) -> tuple[str | None, Any]:
            account = w.connected(key, bridge.dapp.permissions)
            return account, (work(w, account) if account else None)

        def done(result: tuple[str | None, Any]) -> None:
            account, value = result
            if not account or key in self._revoked:
                bridge.answer(request_id, error=ProviderError(
                    Code.UNAUTHORIZED, "Not connected: call imapp_requestAccounts first"))
            elif then is not None:
                then(account, value)
            else:
                bridge.answer(request_id, result=value)

        self._submit(bridge, request_id, run, done)

    def _may_ask(self, bridge: DAppBridge, state: _DAppState) -> None:
        """ProviderError unless a question may be put to the user for this DApp now."""
        if state.asking:
            raise ProviderError(Code.PENDING, "A request already waits for the user: wait for its answer")
        quiet = state.rejections.quiet_for()
        if quiet:
            self.notice.emit(bridge.dapp.key, self.tr("You refused %1 several times: imapp does not ask "
                                                      "again for %2 s").replace("%1", bridge.name).replace(
                "%2", str(max(1, round(quiet)))))
            raise quieted(quiet)

    def _question(self, bridge: DAppBridge, request_id: int, ask: WalletAsk,
                  agreed: Callable[[], None]) -> None:
        """Ask the user (one question per DApp at a time); 4001 if they refuse, or if the question
        goes away unanswered (its window closed). ``agreed`` runs only if the DApp is still
        connected then (not revoked while the question was open)."""
        key = bridge.dapp.key
        state = self._state(key)
        try:
            self._may_ask(bridge, state)  # (again: the work before the question took time)
        except ProviderError as e:
            bridge.answer(request_id, error=e)
            return
        state.asking = True
        answered = False

        def answer(yes: bool) -> None:
            nonlocal answered
            if answered:
                return
            answered = True
            state.asking = False
            log.info("dapp %s: the user %s its %s request", key, "agreed to" if yes else "refused", ask.kind)
            if not yes:
                state.rejections.rejected()
                bridge.answer(request_id, error=rejected())
            elif key in self._revoked and ask.kind != "connect":
                bridge.answer(request_id, error=ProviderError(
                    Code.UNAUTHORIZED, "Not connected: the user disconnected this DApp"))
            else:
                state.rejections.accepted()
                agreed()

        # asked modal to the page's window, wherever it is (here, or in a DApp host process)
        if not bridge.question(ask, answer, self.ask):
            state.asking = False  # the page went away meanwhile

    def _ask(self, bridge: DAppBridge, kind: str, account: str, **kw: Any) -> WalletAsk:
        from appstore.ui.host.confirm import WalletAsk

        identity = bridge.dapp
        store = texts.store_name(self.controller.view, identity.store)
        return WalletAsk(kind, bridge.name, store, account, bridge.icon, **kw)

    def _request_accounts(self, bridge: DAppBridge, request_id: int) -> None:
        key = bridge.dapp.key
        wanted = bridge.dapp.permissions  # a connection covers only the ones the dialog listed

        def known(result: tuple[str | None, str | None]) -> None:
            address, connected = result
            if connected and key not in self._revoked:
                bridge.answer(request_id, result=[connected])
                return
            lang = texts.language()
            perms = tuple(wording.permission(p, lang) for p in bridge.dapp.permissions
                          if p.startswith("wallet."))
            shown = address or self.tr("A new wallet, made for you when you connect")
            self._question(bridge, request_id, self._ask(bridge, "connect", shown, permissions=perms),
                           lambda: self._submit(bridge, request_id, lambda w: w.connect(key, wanted),
                                                connected_now, lane="wallet"))

        def connected_now(address: str) -> None:
            self._revoked.discard(key)
            bridge.answer(request_id, result=[address])
            self.emit_event(key, "accountsChanged", [address])
            self.connections_changed.emit()

        self._submit(bridge, request_id, lambda w: (w.address(), w.connected(key, wanted)), known)

    def _sign(self, bridge: DAppBridge, request_id: int, message: str) -> None:
        identity = bridge.dapp

        def ask(account: str, _: Any) -> None:
            self._question(bridge, request_id, self._ask(bridge, "sign", account, message=message),
                           lambda: self._submit(bridge, request_id,
                                                lambda w: w.sign(identity.store, identity.app_id, message,
                                                                 account),
                                                lane="wallet"))

        self._connected(bridge, request_id, lambda w, _: None, ask)

    def _pay(self, bridge: DAppBridge, request_id: int, amount: str, memo: str) -> None:
        identity = bridge.dapp
        payee = self._payee(identity.store, identity.app_id)

        def ask(account: str, payment: Payment) -> None:
            self._question(bridge, request_id, self._ask(
                bridge, "pay", account, amount=payment.amount_text, payee=payment.payee, memo=payment.memo,
                after=payment.after_text), lambda: self._submit(bridge, request_id, lambda w: w.pay(payment),
                                                                paid, lane="wallet"))

        def paid(receipt: dict[str, Any]) -> None:
            bridge.answer(request_id, result=receipt)
            self.wallet_changed.emit()

        def prepare(w: DAppWallet, account: str) -> Payment:
            return w.prepare_payment(identity.store, identity.app_id, account, payee, amount, memo)

        self._connected(bridge, request_id, prepare, ask)

    def _payee(self, store: str, app_id: str) -> str:
        """The payee the DApp's current, verified catalogue entry declares ("" if none)."""
        view = self.controller.view
        if view is None:
            return ""
        try:
            return view.find(f"{store}/{app_id}").app.payee
        except AppStoreError:
            return ""  # its store was removed: nobody to pay

    # -- connections --------------------------------------------------------------------------
    def emit_event(self, key: str, name: str, value: object) -> None:
        """Send event ``name`` to every open page of DApp ``key``."""
        for bridge in list(self._bridges):
            if shiboken6.isValid(bridge) and bridge.dapp.key == key:
                bridge.wallet_event.emit(name, json.dumps(value))

    def connections(self, on_done: Callable[[list[Any]], None]) -> None:
        """The connected DApps (``Connection``s), read on a worker."""
        wallet = self.wallet
        if wallet is None:
            on_done([])
            return
        self.controller.jobs.submit(lambda ctx: wallet.connections.all(), lane="io",
                                    title="read the connected DApps", on_done=on_done)

    def revoke(self, key: str) -> None:
        """Disconnect DApp ``key`` now: its pages hear ``accountsChanged([])`` and ``disconnect``
        and every request from now on is treated as unconnected; the file follows."""
        wallet = self.wallet
        if wallet is None:
            return
        self._revoked.add(key)
        self.emit_event(key, "accountsChanged", [])
        self.emit_event(key, "disconnect", {"code": int(Code.DISCONNECTED),
                                            "message": "The user disconnected this DApp"})

        def done(_: object) -> None:
            self.connections_changed.emit()

        def failed(message: str, _: BaseException) -> None:
            # the page was told and stays refused in this run; the list shows it again
            log.warning("dapp %s: its connection could not be forgotten on disk: %s", key, message)
            self.connections_changed.emit()

        self.controller.jobs.submit(lambda ctx: wallet.connections.revoke(key), lane="wallet",
                                    title="disconnect a DApp", on_done=done, on_error=failed)

    def account_seen(self, address: str) -> None:
        """The wallet's account is ``address`` (a load, a restore): if it changed, every open DApp
        page hears ``accountsChanged([])`` (connections are per account)."""
        previous, self._account = self._account, address
        if previous is not None and previous != address:
            for bridge in list(self._bridges):
                if shiboken6.isValid(bridge):
                    bridge.wallet_event.emit("accountsChanged", "[]")
