"""The app's side of a store's IA service: signed requests over HTTP (``requests``), and every
receipt and quote that comes back checked against the store's signed policy.

``ServiceClient`` is blocking: call it off the GUI thread. A service that cannot be reached is a
``ServiceUnreachable`` (keep the claims as pending); a refusal is a ``ServiceError`` with a stable
``code`` and a message to show (HTTP 429 is ``RateLimited``, with the seconds to wait); a
receipt or quote the service signed wrongly (another key, another account or store) is a
``ServiceError`` with code ``bad-receipt`` / ``bad-quote``.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import requests

from appstore.core.errors import shorten
from appstore.core.ia.errors import RateLimited, ServiceError, ServiceUnreachable
from appstore.core.ia.messages import AccountStatus, Quote
from appstore.core.ia.policy import EMBEDDED_URL, RewardPolicy
from appstore.core.ia.protocol import (
    MAX_CLAIMS,
    Claim,
    ClaimOutcome,
    claims_payload,
    make_request,
    stake_reference,
)
from appstore.core.wallet.keys import Account
from appstore.core.wallet.receipts import Receipt, ReceiptError


class _Odds(Protocol):
    @property
    def odds_bp(self) -> int: ...


class StakedRound(Protocol):
    """A game round as a stake names it (``games.rounds.Round``): declared here, as the games
    are built on this client and not the other way."""

    @property
    def id(self) -> str: ...

    @property
    def commitment(self) -> str: ...

    @property
    def seed(self) -> str | None: ...

    def option(self, option_id: str) -> _Odds | None: ...

    def terms(self, decimals: int) -> str: ...

PAGE = 500  # receipts per page of a re-sync
MAX_ANSWER = 16 * 1024 * 1024
DEFAULT_RETRY_AFTER = 60  # seconds to wait after a 429 that names no time
MAX_RETRY_AFTER = 24 * 3600  # a longer wait asked for is cut to a day


def resolve_url(policy: RewardPolicy, embedded_url: str | None) -> str:
    """The URL to reach ``policy``'s service: its ``service_url``, or, for ``"embedded:"``, the
    URL of the service running inside this app (``EmbeddedService.url``)."""
    if policy.service_url != EMBEDDED_URL:
        return policy.service_url
    if not embedded_url:
        raise ServiceUnreachable(f"store {policy.store}'s IA service runs inside imapp, and it has not "
                                 "started yet")
    return embedded_url


class ServiceClient:
    """Talks to ``policy.store``'s IA service at ``url`` for ``account``."""

    def __init__(self, url: str, policy: RewardPolicy, account: Account, *,
                 session: requests.Session | None = None, timeout: float = 10,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.url = url.rstrip("/")
        self.policy = policy
        self.account = account
        self.session = session or requests.Session()
        self.timeout = timeout
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- the API -----------------------------------------------------------------------------

    def claim(self, claims: Sequence[Claim]) -> list[ClaimOutcome]:
        """Send claims (at most ``MAX_CLAIMS``, 200, per request; more are sent in several) and
        return an outcome for each, in order. Credited outcomes carry a checked receipt."""
        out: list[ClaimOutcome] = []
        for start in range(0, len(claims), MAX_CLAIMS):
            batch = list(claims[start:start + MAX_CLAIMS])
            answer = self._post("/v1/claims", "claim", claims_payload(batch))
            items = answer.get("outcomes")
            if not isinstance(items, list) or len(items) != len(batch):
                raise ServiceError("bad-answer", "the service's answer to claims is malformed")
            for c, item in zip(batch, items, strict=True):
                if not isinstance(item, dict) or item.get("claim_id") != c.id:
                    raise ServiceError("bad-answer", "the service answered for other claims")
                receipt = self._receipt(item["receipt"]) if item.get("receipt") is not None else None
                code, message = item.get("code"), item.get("message")
                if receipt is None and not (isinstance(code, str) and isinstance(message, str)):
                    raise ServiceError("bad-answer", "the service refused a claim without saying why")
                out.append(ClaimOutcome(c.id, receipt, None if receipt else code,
                                        None if receipt else message))
        return out

    def receipts(self, since: int = 0) -> list[Receipt]:
        """Every receipt of the account after seq ``since``, checked, oldest first."""
        out: list[Receipt] = []
        while True:
            answer = self._get(f"/v1/accounts/{self.account.address}/receipts",
                               {"since": str(since), "limit": str(PAGE)})
            items = answer.get("receipts")
            if not isinstance(items, list):
                raise ServiceError("bad-answer", "the service's receipts are malformed")
            page = [self._receipt(r) for r in items]
            out.extend(page)
            if not page or not answer.get("more"):
                return out
            since = page[-1].seq

    def status(self) -> AccountStatus:
        return AccountStatus.from_json(self._get(f"/v1/accounts/{self.account.address}/status", {}))

    def quote(self, amount_ia: int) -> Quote:
        """A quote for swapping ``amount_ia`` IA base units, checked (signed by the service for
        this account and amount)."""
        answer = self._post("/v1/quotes", "quote", {"amount_ia": amount_ia})
        quote = Quote.from_json(answer.get("quote"))
        problem = quote.verify(self.policy.service_key)
        if problem is None and (quote.account != self.account.address or quote.store != self.policy.store):
            problem = "the quote is for another account or store"
        if problem is None and quote.amount_ia != amount_ia:
            problem = "the quote is for another amount"
        if problem:
            raise ServiceError("bad-quote", problem)
        return quote

    def swap(self, quote: Quote) -> list[Receipt]:
        """Accept ``quote``: the IA debit and the BCD credit receipts, both checked."""
        fields = {"quote_id": quote.id, "amount_ia": quote.amount_ia, "bcd_out": quote.bcd_out}
        answer = self._post("/v1/swaps", "swap", fields)
        receipts = [self._receipt(r) for r in _list(answer.get("receipts"))]
        if sorted((r.asset, r.kind) for r in receipts) != [("BCD", "swap"), ("IA", "swap")]:
            raise ServiceError("bad-answer", "a swap answers with one IA and one BCD swap receipt")
        return receipts

    def withdraw(self, address: str, amount_bcd: int) -> Receipt:
        answer = self._post("/v1/withdrawals", "withdraw", {"address": address, "amount_bcd": amount_bcd})
        return self._receipt(answer.get("receipt"))

    def pay(self, payee: str, amount_ia: int, memo: str, app: str) -> Receipt:
        answer = self._post("/v1/payments", "pay", {"payee": payee, "amount_ia": amount_ia, "memo": memo,
                                                    "app": app})
        return self._receipt(answer.get("receipt"))

    def stake(self, rnd: StakedRound, option: str, amount_ia: int, stake_id: str | None = None) -> Receipt:
        """Stake ``amount_ia`` IA base units on ``option`` of game round ``rnd`` (as the user saw
        it): the checked ``stake`` receipt. The request names the option's odds, the commitment
        and the hash of the round's terms (``Round.terms``): the service refuses the stake
        (``round-changed``) if the store's round is not that one. ``stake_id`` (32 hex, made here
        when None) names the stake: the same id sent again gives the same receipt, never a second
        stake. A round whose seed is already published is refused here."""
        import secrets

        if rnd.seed is not None:
            raise ServiceError("round-locked", f"round {rnd.id}'s seed is already published: it takes no "
                                               "more stakes")
        opt = rnd.option(option)
        terms = rnd.terms(self.policy.decimals)
        fields = {"stake_id": stake_id or secrets.token_hex(16), "round": rnd.id, "option": option,
                  "amount_ia": amount_ia, "odds_bp": opt.odds_bp if opt is not None else 0,
                  "commitment": rnd.commitment, "terms": terms}
        r = self._receipt(self._post("/v1/stakes", "stake", fields).get("receipt"))
        want = stake_reference(rnd.id, option, opt.odds_bp if opt is not None else 0, terms)
        if r.kind != "stake" or r.amount != -amount_ia or r.reference != want:
            raise ServiceError("bad-answer", f"the service answered a stake with another receipt ({r.kind} "
                                             f"{r.amount}, {shorten(r.reference, 120)}; expected {want})")
        return r

    def info(self) -> dict[str, Any]:
        """The service's public facts: ``{"store", "service_key", "decimals", "time", "swap"}``
        (``time``: its clock, which decides when rounds lock and settlement is overdue)."""
        return self._get("/v1/info", {})

    def game_rounds(self, round_id: str | None = None) -> list[dict[str, Any]]:
        """What the service did with the game rounds (each ``{"id", "state", "result", "seed",
        "commitment", "stakes", "staked", "paid", "time"}``), or with one."""
        path = "/v1/games/rounds" + (f"/{round_id}" if round_id is not None else "")
        rows = _list(self._get(path, {}).get("rounds"))
        if not all(isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("state"), str)
                   for r in rows):
            raise ServiceError("bad-answer", "the service's game rounds are malformed")
        return rows

    # -- plumbing ----------------------------------------------------------------------------

    def _receipt(self, data: object) -> Receipt:
        try:
            r = Receipt.from_dict(data)
        except ReceiptError as e:
            raise ServiceError("bad-receipt", f"the service sent a malformed receipt: {e}") from None
        problem = r.verify()
        if problem is None and not self.policy.keys.accepts(r.service_key, r.time):
            refusal = self.policy.keys.refusal(self.policy.store, r.service_key, r.time)
            problem = f"receipt #{r.seq}: {refusal}"
        if problem is None and r.store != self.policy.store:
            problem = f"receipt #{r.seq} is for store {r.store}, not {self.policy.store}"
        if problem is None and r.account != self.account.address:
            problem = f"receipt #{r.seq} is for account {r.account}, not {self.account.address}"
        if problem:
            raise ServiceError("bad-receipt", f"refused a receipt from the IA service: {problem}")
        return r

    def _post(self, path: str, action: str, fields: dict[str, Any]) -> dict[str, Any]:
        body = make_request(self.account, self.policy.store, action, fields,
                            service_key=self.policy.service_key, now=self.clock())
        return self._call("POST", path, data=json.dumps(body, separators=(",", ":")).encode("utf-8"))

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def _call(self, method: str, path: str, *, data: bytes | None = None,
              params: dict[str, str] | None = None) -> dict[str, Any]:
        url = self.url + path
        try:
            resp = self.session.request(method, url, data=data, params=params, timeout=self.timeout,
                                        headers={"Content-Type": "application/json"}, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise ServiceUnreachable(f"store {self.policy.store}'s IA service at {shorten(self.url, 60)} "
                                     f"cannot be reached ({type(e).__name__}); claims wait as pending "
                                     "and are sent when it is back") from None
        except requests.RequestException as e:
            raise ServiceUnreachable(f"store {self.policy.store}'s IA service: {shorten(e, 100)}") from None
        if len(resp.content) > MAX_ANSWER:
            raise ServiceError("bad-answer", "the IA service's answer is too large")
        try:
            answer = resp.json()
        except ValueError:
            answer = None
        if resp.status_code >= 400:
            raise self._error(resp.status_code, answer, resp.headers.get("Retry-After"))
        if not isinstance(answer, dict):
            raise ServiceError("bad-answer", f"store {self.policy.store}'s IA service did not answer JSON")
        return answer


    def _error(self, status: int, answer: object, retry_header: str | None) -> ServiceError:
        """What an HTTP error means. 429: wait (``Retry-After``, a minute without one), nothing
        was done; 502-504 without the service's own error: it is not there now; a 503 with
        ``Retry-After`` says how long to wait too."""
        where = f"store {self.policy.store}'s IA service"
        if status == 429:
            wait = retry_after(retry_header, self.clock())
            wait = DEFAULT_RETRY_AFTER if wait is None else wait
            return RateLimited(f"{where} asks to wait {wait:.0f} s before more requests (HTTP 429, too "
                               "many requests)", wait)
        wait = retry_after(retry_header, self.clock()) if status == 503 else None
        err = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str):
            return ServiceError(err["code"], f"{where}: {err['message']}", status=status, retry_after=wait)
        if status in (502, 503, 504):
            return ServiceUnreachable(f"{where} is unavailable (HTTP {status})", status=status,
                                      retry_after=wait)
        return ServiceError("http", f"{where} answered HTTP {status}", status=status)


def retry_after(value: str | None, now: datetime) -> float | None:
    """The seconds a ``Retry-After`` header asks to wait (RFC 9110: a number of seconds, or an
    HTTP date, read against ``now``), at most ``MAX_RETRY_AFTER``; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"[0-9]{1,12}", text):
        seconds = float(int(text))
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER))


def _list(v: object) -> list[Any]:
    if not isinstance(v, list):
        raise ServiceError("bad-answer", "the service's answer is malformed")
    return v
