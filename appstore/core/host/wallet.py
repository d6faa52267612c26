"""What the wallet does for a DApp's provider requests once the user has agreed (docs/dapp-api.md):
the account, the balances in the DApp's store, a signature over a DApp message, and a payment to
the payee the DApp's catalogue entry declares, through the store's IA service.

Every method touches the disk, the keyring or the network: call them on a worker. Errors come
out as ``ProviderError`` with the code and words a page gets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appstore.core.errors import AppStoreError
from appstore.core.host.connections import Connections
from appstore.core.host.provider import Code, ProviderError, disconnected, signed_payload
from appstore.core.logs import log
from appstore.core.wallet.amounts import format_amount, parse_amount
from appstore.core.wallet.errors import AmountError, NoWallet

if TYPE_CHECKING:
    from appstore.core.services import Services
    from appstore.core.wallet.receipts import Receipt


@dataclass(frozen=True)
class Payment:
    """A payment the user is asked to confirm: everything the dialog shows."""

    store: str
    app_id: str
    account: str  # the account the user was shown as paying
    payee: str
    units: int  # IA base units
    decimals: int
    memo: str
    balance: int  # IA base units in that store, before paying

    @property
    def amount_text(self) -> str:
        return format_amount(self.units, self.decimals)

    @property
    def after_text(self) -> str:
        return format_amount(self.balance - self.units, self.decimals)


class DAppWallet:
    """The wallet's side of ``window.imapp``, shared by every DApp page."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.connections = Connections(services.paths.root / "dapps" / "connections.json")

    def address(self, *, create: bool = False) -> str | None:
        """The account; None while there is no wallet (``create``: make it, as the user agreed
        to connect). Handed to a DApp and shown in its connect dialog: an address only the
        marker vouches for is checked against the key first (docs/wallet.md, "The address
        marker")."""
        try:
            return self.services.wallet.give_address(create=create)
        except NoWallet:
            return None
        except AppStoreError as e:
            raise unavailable(e) from None

    def connected(self, key: str, permissions: Iterable[str]) -> str | None:
        """The account if DApp ``key`` is connected to it for all its wallet ``permissions``
        (those of the version installed now), else None."""
        address = self.address()
        return address if address and self.connections.is_connected(key, address, permissions) else None

    def connect(self, key: str, permissions: Iterable[str]) -> str:
        """Connect DApp ``key`` for the wallet ``permissions`` the user was shown."""
        address = self.address(create=True)
        if address is None:
            raise disconnected("no wallet could be made")
        self.connections.connect(key, address, permissions)
        return address

    def _require(self, account: str) -> None:
        """``account`` must still be the wallet's (not restored to another meanwhile)."""
        if self.address() != account:
            raise ProviderError(Code.UNAUTHORIZED, "The wallet's account changed: connect again")

    def balance(self, store: str) -> dict[str, str]:
        """IA and BCD in ``store``'s service (what a DApp of that store can spend), as decimal
        strings."""
        try:
            wallet = self.services.wallet
            balances = wallet.ledger.balances(store)
            return {asset: format_amount(units, wallet.decimals(asset, store))
                    for asset, units in sorted(balances.items())}
        except AppStoreError as e:
            raise unavailable(e) from None

    def sign(self, store: str, app_id: str, message: str, expected: str) -> dict[str, Any]:
        """The signature of ``message`` under purpose ``dapp-message:STORE/APP`` by account
        ``expected`` (the one the user was shown)."""
        from appstore.core.wallet.signing import dapp_message_purpose, encode_signature

        self._require(expected)
        try:
            account = self.services.wallet.account()
            purpose = dapp_message_purpose(store, app_id)
            signature = account.sign(purpose, signed_payload(message))
        except AppStoreError as e:
            raise unavailable(e) from None
        return {"signature": encode_signature(signature), "publicKey": account.public_key.hex(),
                "address": account.address, "purpose": purpose, "message": message}

    def prepare_payment(self, store: str, app_id: str, account: str, payee: str, amount: str,
                        memo: str) -> Payment:
        """Check a payment before the user is asked: the amount in the store's IA decimals, and
        a balance that covers it."""
        if not payee:
            raise ProviderError(Code.UNAUTHORIZED, "this DApp cannot be paid: its store lists no "
                                                   "payee for it")
        wallet = self.services.wallet
        try:
            decimals = wallet.decimals("IA", store)
            units = parse_amount(amount, decimals, unit="IA")
        except AmountError as e:
            raise ProviderError(Code.INVALID_PARAMS, f"imapp_pay: amount {e}") from None
        except AppStoreError as e:
            raise unavailable(e) from None
        try:
            balance = wallet.ledger.balances(store).get("IA", 0)
        except AppStoreError as e:
            raise unavailable(e) from None
        if balance < units:
            have = format_amount(balance, decimals)
            raise ProviderError(Code.INSUFFICIENT_FUNDS, f"Insufficient funds: the wallet has {have} IA "
                                                         "in this store", {"balance": have})
        return Payment(store, app_id, account, payee, units, decimals, memo, balance)

    def pay(self, payment: Payment) -> dict[str, Any]:
        """Pay, through the store's IA service; the receipt goes into the ledger."""
        from appstore.core.ia.errors import ServiceError, ServiceUnreachable

        self._require(payment.account)
        try:
            receipt = self.services.rewards.pay(payment.store, payment.payee, payment.units, payment.memo,
                                                payment.app_id)
        except ServiceUnreachable as e:
            log.info("dapp %s/%s: payment: %s", payment.store, payment.app_id, e)
            # the request may have reached the service before the connection broke
            raise disconnected("the store's IA service did not answer: the payment may or may not have "
                               "gone through; the Wallet's history will show it once it syncs") from None
        except ServiceError as e:
            if e.code == "insufficient":
                raise ProviderError(Code.INSUFFICIENT_FUNDS, f"Insufficient funds: {e}") from None
            raise ProviderError(Code.INTERNAL, f"The IA service refused the payment: {e}") from None
        except AppStoreError as e:
            raise unavailable(e) from None
        if (receipt.kind, receipt.asset, receipt.amount, receipt.reference, receipt.account) != (
                "payment", "IA", -payment.units, f"to:{payment.payee}:{payment.app_id}", payment.account):
            # signed by the service, but not what was asked: tell the user, never the DApp it is paid
            log.warning("dapp %s/%s: the service answered a payment with receipt #%s (%s %s %s)",
                        payment.store, payment.app_id, receipt.seq, receipt.kind, receipt.amount,
                        receipt.reference)
            raise ProviderError(Code.INTERNAL, "The IA service's receipt does not match the payment: "
                                               "see the Wallet's history")
        return receipt_json(receipt, payment.decimals)


def unavailable(error: AppStoreError) -> ProviderError:
    """4900 for a page, without the detail (a file's path, a locked keyring): that is logged."""
    log.info("dapp wallet: %s", error)
    return disconnected("the wallet is not available right now (it may be locked, or its ledger "
                        "failed verification: see the Wallet page)")


def receipt_json(receipt: Receipt, decimals: int) -> dict[str, Any]:
    """What a DApp gets back for a payment: the receipt's id (its hash) and what it says."""
    return {"receipt": receipt.hash, "seq": receipt.seq, "store": receipt.store,
            "amount": format_amount(-receipt.amount, decimals), "asset": receipt.asset,
            "time": receipt.time, "account": receipt.account}
