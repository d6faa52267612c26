"""The wallet provider a DApp sees as ``window.imapp`` (docs/dapp-api.md), without Qt: which
methods exist for which manifest permission, the errors (EIP-1193's codes plus ours), the checks
on what a page sends, the message a signature covers, and the limits on a page that floods.

Everything here treats the page as hostile: a request is a JSON string of at most
``MAX_REQUEST`` bytes, its parameters are checked field by field, and a mistake is answered with
an error that says what was wrong and what to send instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from appstore.core.errors import AppStoreError, shorten

MAX_REQUEST = 16_384  # bytes of one request's JSON
MAX_MESSAGE = 2_000  # characters of a message to sign
MAX_MEMO = 140  # characters of a payment's memo (the IA service's limit)


class Code(IntEnum):
    """Error codes: EIP-1193's provider errors, JSON-RPC's for bad parameters, and ours."""

    USER_REJECTED = 4001  # the user said no
    UNAUTHORIZED = 4100  # not connected, or the manifest does not allow it
    UNSUPPORTED = 4200  # no such method (for this DApp)
    DISCONNECTED = 4900  # the wallet cannot be reached (no wallet, its service is down)
    INSUFFICIENT_FUNDS = 4300  # ours: the balance is too low
    PAUSED = 4290  # ours: too many requests; the DApp is paused for a while
    PENDING = -32002  # a request already waits for the user (as MetaMask answers)
    INVALID_PARAMS = -32602
    INTERNAL = -32603


class ProviderError(AppStoreError):
    """An error for the page: ``code`` and ``message`` (and ``data``) as EIP-1193 shapes them.
    (An ``AppStoreError``: a refusal, never a bug.)"""

    def __init__(self, code: Code, message: str, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = dict(data) if data else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": int(self.code), "message": self.message}
        if self.data:
            out["data"] = self.data
        return out


def rejected() -> ProviderError:
    return ProviderError(Code.USER_REJECTED, "User rejected the request.")


def quieted(seconds: float) -> ProviderError:
    left = max(1, round(seconds))
    return ProviderError(Code.USER_REJECTED, f"User rejected the request: after several refusals "
                                             f"imapp does not ask again for {left} s", {"quiet_for": left})


def disconnected(why: str) -> ProviderError:
    return ProviderError(Code.DISCONNECTED, f"The wallet cannot be reached: {why}")


# method -> the manifest permission it needs. ``imapp_requestAccounts`` and ``imapp_accounts``
# exist for any wallet permission: a signature or a payment names the account anyway.
WALLET_PERMISSIONS = ("wallet.address", "wallet.sign", "wallet.pay")
METHODS: dict[str, tuple[str, ...]] = {
    "imapp_requestAccounts": WALLET_PERMISSIONS,
    "imapp_accounts": WALLET_PERMISSIONS,
    "imapp_balance": ("wallet.address",),
    "imapp_signMessage": ("wallet.sign",),
    "imapp_pay": ("wallet.pay",),
}
ASKS_USER = frozenset({"imapp_requestAccounts", "imapp_signMessage", "imapp_pay"})


def methods_for(permissions: Iterable[str]) -> tuple[str, ...]:
    """The methods a DApp with ``permissions`` has (the others do not exist for it)."""
    granted = set(permissions)
    return tuple(m for m, needs in METHODS.items() if granted.intersection(needs))


@dataclass(frozen=True)
class Call:
    """One request from a page: its method and its (unchecked) params."""

    method: str
    params: Any


def parse_call(text: object, methods: Iterable[str]) -> Call:
    """The request in ``text`` (``{"method": ..., "params": ...}`` as JSON), checked against the
    DApp's ``methods``: ``ProviderError`` if it is malformed or the method does not exist."""
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > MAX_REQUEST:
        raise ProviderError(Code.INVALID_PARAMS, f"a request is a JSON object of at most {MAX_REQUEST} bytes")
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # (a few thousand nested brackets fit in a request)
        raise ProviderError(Code.INVALID_PARAMS, "a request is a JSON object: {method, params}") from None
    if not isinstance(raw, dict):
        raise ProviderError(Code.INVALID_PARAMS, "a request is an object: request({method, params})")
    method = raw.get("method")
    if not isinstance(method, str) or not method:
        raise ProviderError(Code.INVALID_PARAMS, "a request needs a method name, like "
                                                 "request({method: 'imapp_accounts'})")
    if method not in methods:
        if method in METHODS:
            needs = " or ".join(METHODS[method])
            raise ProviderError(Code.UNSUPPORTED, f"{method} does not exist for this DApp: its "
                                                  f"manifest does not ask for {needs}")
        raise ProviderError(Code.UNSUPPORTED, f"imapp has no method {shorten(method, 60)!r}: see "
                                              "imapp.methods for the ones this DApp has")
    unknown = sorted(set(raw) - {"method", "params"})
    if unknown:
        raise ProviderError(Code.INVALID_PARAMS, f"a request holds only method and params, not "
                                                 f"{shorten(unknown[0], 40)!r}")
    return Call(method, raw.get("params"))


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _only(params: object, method: str, fields: tuple[str, ...],
          positional: tuple[str, ...] = ()) -> dict[str, Any]:
    """``params`` as a dict of ``fields``: an object, or a list of one object, or (for
    ``positional`` names) a list of plain values in that order."""
    if params is None:
        return {}
    if isinstance(params, list):
        if len(params) == 1 and isinstance(params[0], dict):
            params = params[0]
        elif len(params) <= len(positional) and not any(isinstance(p, dict | list) for p in params):
            params = dict(zip(positional, params, strict=False))
        else:
            raise ProviderError(Code.INVALID_PARAMS, f"{method}: params is an object "
                                                     f"{{{', '.join(fields)}}}")
    if not isinstance(params, dict):
        raise ProviderError(Code.INVALID_PARAMS, f"{method}: params is an object {{{', '.join(fields)}}}")
    return params


def no_params(call: Call) -> None:
    if call.params not in (None, [], {}):
        raise ProviderError(Code.INVALID_PARAMS, f"{call.method} takes no params")


def message_param(call: Call) -> str:
    """The text ``imapp_signMessage`` is asked to sign: ``[message]`` or ``{message}``."""
    p = _only(call.params, call.method, ("message",), ("message",))
    unknown = sorted(set(p) - {"message"})
    if unknown:
        raise ProviderError(Code.INVALID_PARAMS, f"imapp_signMessage signs a message only; remove "
                                                 f"{shorten(unknown[0], 40)!r}")
    message = p.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ProviderError(Code.INVALID_PARAMS, "imapp_signMessage: message must be non-empty text")
    if len(message) > MAX_MESSAGE:
        raise ProviderError(Code.INVALID_PARAMS, f"imapp_signMessage: message is longer than "
                                                 f"{MAX_MESSAGE} characters")
    if not _readable(message):
        raise ProviderError(Code.INVALID_PARAMS, "imapp_signMessage: message holds control or "
                                                 "invisible characters; the user must be able to "
                                                 "read all of what they sign")
    return message


_ADDRESS_KEYS = ("to", "payee", "address", "recipient", "account", "from")


@dataclass(frozen=True)
class PayParams:
    amount: str  # IA as a decimal string, parsed with the store's decimals by the caller
    memo: str


def pay_params(call: Call) -> PayParams:
    """What ``imapp_pay`` is asked: ``{amount: "2.5", memo: "..."}``. An address in the
    request is refused: a DApp is paid only at the payee its catalogue entry declares."""
    p = _only(call.params, call.method, ("amount", "memo"))
    for key in p:
        if key in _ADDRESS_KEYS:
            raise ProviderError(Code.UNAUTHORIZED, f"imapp_pay takes no {key!r}: a DApp is paid only "
                                                   "at the account its store lists for it")
        if key not in ("amount", "memo"):
            raise ProviderError(Code.INVALID_PARAMS, f"imapp_pay takes amount and memo, not "
                                                     f"{shorten(str(key), 40)!r}")
    amount = p.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, str):
        raise ProviderError(Code.INVALID_PARAMS, 'imapp_pay: amount is IA as a string, like "2.5" '
                                                 "(numbers lose precision)")
    memo = p.get("memo", "")
    if not isinstance(memo, str) or len(memo) > MAX_MEMO or (memo and not _readable(memo)) \
            or '"' in memo or "\\" in memo or "\n" in memo:
        raise ProviderError(Code.INVALID_PARAMS, f"imapp_pay: memo is one line of at most {MAX_MEMO} "
                                                 "characters, without quotes or backslashes")
    return PayParams(amount, memo)


# Letters that draw nothing (Hangul fillers, braille blank): text made of them looks empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _readable(text: str) -> bool:
    """Whether all of ``text`` can be read as it is shown: no control or format characters
    (bidi overrides, zero-width), no line or paragraph separators, no letters that draw nothing,
    no pile of combining marks, no blank first or last line and at most two blank lines in a row
    (the visible part of a message must not look empty or end early). Newlines and tabs are
    fine."""
    import unicodedata

    marks = 0
    for c in text:
        category = unicodedata.category(c)
        if c not in "\n\t" and category in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            return False
        if c in _BLANK_LETTERS:
            return False
        marks = marks + 1 if category in ("Mn", "Me") else 0
        if marks > 3:
            return False
    lines = text.split("\n")
    if not lines[0].strip() or not lines[-1].strip():
        return False
    return "\n\n\n\n" not in "\n".join(line.strip() for line in lines)


def signed_payload(message: str) -> dict[str, str]:
    """What ``imapp_signMessage`` signs, under purpose ``dapp-message:STORE/APP``
    (core/wallet/signing.py): the canonical JSON of ``{"message": message}``."""
    return {"message": message}


class RateLimiter:
    """A token bucket per DApp: ``burst`` requests at once, then ``rate`` a second. A DApp that
    empties it is paused for ``pause`` seconds: every request is refused until then."""

    def __init__(self, *, rate: float = 10.0, burst: int = 40, pause: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.pause = rate, burst, pause
        self.clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._paused_until = 0.0

    def paused_for(self) -> float:
        """Seconds left of a pause (0: not paused)."""
        return max(0.0, self._paused_until - self.clock())

    def take(self) -> float:
        """Let one request through (0.0), or the seconds the DApp stays paused."""
        now = self.clock()
        if now < self._paused_until:
            return self._paused_until - now
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens < 1.0:
            self._paused_until = now + self.pause
            self._tokens = float(self.burst)
            return self.pause
        self._tokens -= 1.0
        return 0.0


def paused(seconds: float) -> ProviderError:
    left = max(1, round(seconds))
    return ProviderError(Code.PAUSED, f"Too many requests: imapp paused this DApp's wallet requests "
                                      f"for {left} s", {"retry_after": left})


class Rejections:
    """Asking the user stops after ``limit`` refusals within ``window`` seconds: for ``quiet``
    seconds, a DApp that keeps asking is refused without a dialog (browsers do the same with a
    page's alerts), and a key held down on a page's button cannot refuse its way through a
    stream of dialogs."""

    def __init__(self, *, limit: int = 3, window: float = 20.0, quiet: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.quiet, self.clock = limit, window, quiet, clock
        self._times: list[float] = []
        self._quiet_until = 0.0

    def quiet_for(self) -> float:
        return max(0.0, self._quiet_until - self.clock())

    def rejected(self) -> None:
        now = self.clock()
        self._times = [t for t in self._times if now - t < self.window] + [now]
        if len(self._times) >= self.limit:
            self._quiet_until = now + self.quiet
            self._times.clear()

    def accepted(self) -> None:
        self._times.clear()
