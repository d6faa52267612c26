"""Quotes and swaps (docs/ia-service.md, "Quotes and swaps"), and the Sybil budget the swap terms
may publish ("Fake accounts"):

* ``daily_budget_bcd``: the BCD all swaps together receive per UTC day (``swap_budget``, one row a
  day, updated under its row lock in the swap's transaction): ``budget-spent`` once reached;
* ``vesting_days``: IA credited to an account (rewards, dividends, payments received, game
  payouts and refunds) waits that many days before it can be swapped: ``not-vested``;
* ``address_daily_bcd``: the BCD swaps from one client address receive per UTC day
  (``address_swaps``): ``address-limit``.

A quote checks them all (it reserves nothing); the swap checks them again under the locks, in
this order, before the first write: terms and balance, vesting, budget, address, reserve.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, func, select

from appstore.core.ia.errors import ServiceError
from appstore.core.ia.messages import sign_quote
from appstore.core.ia.policy import SwapTerms
from appstore.core.ia.protocol import (
    HEX32,
    SignedRequest,
    day_of,
    format_time,
    malformed,
    parse_time,
    positive_int,
)
from appstore.core.wallet.amounts import BCD_DECIMALS, format_amount
from appstore.service.schema import t_address_swaps, t_quotes, t_receipts, t_swap_budget
from appstore.service.storage import TREASURY, Head, Storage, insert_ignore

SWAP_COUNTER = "swap"  # the daily row counting IA swapped by an account


class Swaps:
    def __init__(self, storage: Storage, terms: SwapTerms | None, store: str, decimals: int,
                 key: Ed25519PrivateKey) -> None:
        self.storage = storage
        self.terms = terms
        self.store = store
        self.decimals = decimals
        self.key = key

    def _ia(self, units: int) -> str:
        return format_amount(units, self.decimals) + " IA"

    @staticmethod
    def _bcd(units: int) -> str:
        return format_amount(units, BCD_DECIMALS) + " BCD"

    def require_terms(self) -> SwapTerms:
        if self.terms is None:
            raise ServiceError("no-swap", f"store {self.store} publishes no swap terms", status=404)
        return self.terms

    # -- checks --------------------------------------------------------------------------

    def _check_amount(self, conn: Connection, account: str, amount: int, day: str) -> dict[str, list[int]]:
        """Refuse a swap of ``amount`` outside the terms or the balance; the day's counters."""
        terms = self.require_terms()
        if not terms.min_ia <= amount <= terms.max_ia:
            raise ServiceError("amount-range", f"a swap is from {self._ia(terms.min_ia)} to "
                                               f"{self._ia(terms.max_ia)}", status=400)
        counters = self.storage.counters(conn, account, day)
        swapped = counters.get(SWAP_COUNTER, [0, 0])[1]
        if swapped + amount > terms.daily_max_ia:
            raise ServiceError("swap-daily-limit", f"at most {self._ia(terms.daily_max_ia)} can be swapped a "
                                                   f"day; {self._ia(swapped)} were swapped today", status=409)
        if self.storage.balance(conn, account, "IA") < amount:
            raise ServiceError("insufficient", "the IA balance is too low for this swap", status=409)
        return counters

    def unvested(self, conn: Connection, account: str, now: datetime) -> int:
        """IA base units credited to ``account`` in the last ``vesting_days`` days (0 without)."""
        days = self.terms.vesting_days if self.terms is not None else 0
        if not days:
            return 0
        r = t_receipts.c
        since = format_time(now - timedelta(days=days))
        return int(conn.execute(select(func.coalesce(func.sum(r.amount), 0)).where(
            r.account == account, r.time > since, r.asset == "IA", r.amount > 0)).scalar() or 0)

    def _check_vested(self, conn: Connection, account: str, amount: int, now: datetime) -> None:
        terms = self.require_terms()
        unvested = self.unvested(conn, account, now)
        if not unvested:
            return
        free = max(0, self.storage.balance(conn, account, "IA") - unvested)
        if amount > free:
            days = f"{terms.vesting_days} day" + ("s" if terms.vesting_days != 1 else "")
            raise ServiceError("not-vested", f"IA waits {days} after it is credited "
                                             "before it can be swapped (the store's rule against fake "
                                             f"accounts): {self._ia(unvested)} of this balance is still "
                                             f"waiting; {self._ia(free)} can be swapped now", status=409)

    def budget_left(self, conn: Connection, day: str) -> int | None:
        """BCD base units today's budget still holds (None: the terms set no budget)."""
        terms = self.terms
        if terms is None or terms.daily_budget_bcd is None:
            return None
        used = conn.execute(select(t_swap_budget.c.bcd_out).where(t_swap_budget.c.day == day)).scalar()
        return max(0, terms.daily_budget_bcd - int(used or 0))

    def _check_budget(self, conn: Connection, out: int, day: str, *, lock: bool) -> None:
        terms = self.require_terms()
        if terms.daily_budget_bcd is None:
            return
        query = select(t_swap_budget.c.bcd_out).where(t_swap_budget.c.day == day)
        if lock:  # the day's row, made if need be, held until the swap commits
            insert_ignore(conn, t_swap_budget, {"day": day, "bcd_out": 0, "swaps": 0})
            query = query.with_for_update()
        used = int(conn.execute(query).scalar() or 0)
        if used + out > terms.daily_budget_bcd:
            left = max(0, terms.daily_budget_bcd - used)
            raise ServiceError("budget-spent", f"the store's BCD budget for swaps today "
                                               f"({self._bcd(terms.daily_budget_bcd)} a day for everyone "
                                               f"together) has {self._bcd(left)} left: swap less, or again "
                                               "after 00:00 UTC", status=409)

    def _check_address(self, conn: Connection, address: str | None, out: int, day: str, *,
                       lock: bool) -> None:
        terms = self.require_terms()
        if terms.address_daily_bcd is None or address is None:
            return
        c = t_address_swaps.c
        query = select(c.bcd_out).where(c.address == address, c.day == day)
        if lock:
            insert_ignore(conn, t_address_swaps, {"address": address, "day": day, "bcd_out": 0, "swaps": 0})
            query = query.with_for_update()
        used = int(conn.execute(query).scalar() or 0)
        if used + out > terms.address_daily_bcd:
            left = max(0, terms.address_daily_bcd - used)
            raise ServiceError("address-limit", "swaps from this network address may receive "
                                                f"{self._bcd(terms.address_daily_bcd)} a day (the store's "
                                                f"rule against fake accounts); {self._bcd(left)} is left "
                                                "today", status=409)

    # -- requests ------------------------------------------------------------------------

    def quote(self, conn: Connection, req: SignedRequest, now: datetime,
              address: str | None) -> dict[str, Any]:
        terms = self.require_terms()
        amount = positive_int(req.payload.get("amount_ia"), "amount_ia")
        day = day_of(now)
        self._check_amount(conn, req.account, amount, day)
        out = terms.bcd_out(amount)
        if out <= 0:
            raise ServiceError("amount-range", "this amount is too small to receive any BCD (the quote "
                                               "would be worth 0 BCD)", status=400)
        self._check_vested(conn, req.account, amount, now)
        self._check_budget(conn, out, day, lock=False)
        self._check_address(conn, address, out, day, lock=False)
        quote = sign_quote({"id": secrets.token_hex(16), "store": self.store, "account": req.account,
                            "amount_ia": amount, "fee": terms.fee(amount), "bcd_out": out,
                            "rate_num": terms.rate_num, "rate_den": terms.rate_den,
                            "expires": format_time(now + timedelta(seconds=terms.quote_seconds))}, self.key)
        conn.execute(t_quotes.insert().values(id=quote.id, account=req.account, amount_ia=amount,
                                              fee=quote.fee, bcd_out=out, expires=quote.expires, used=0,
                                              body=json.dumps(quote.to_json())))
        return {"quote": quote.to_json()}

    def swap(self, conn: Connection, head: Head, req: SignedRequest, now: datetime,
             address: str | None) -> dict[str, Any]:
        p = req.payload
        qid = p.get("quote_id")
        if not isinstance(qid, str) or not HEX32.fullmatch(qid):
            raise malformed("quote_id must be 32 lowercase hex digits")
        amount, out = positive_int(p.get("amount_ia"), "amount_ia"), positive_int(p.get("bcd_out"), "bcd_out")
        row = conn.execute(select(t_quotes).where(t_quotes.c.id == qid)).first()
        if row is None:
            raise ServiceError("quote-unknown", "there is no such quote: ask for a new one", status=404)
        if row.account != req.account:
            raise ServiceError("quote-foreign", "this quote was made for another account", status=403)
        if row.used:
            raise ServiceError("quote-used", "this quote was already used: ask for a new one", status=409)
        expires = parse_time(row.expires)
        if expires is None or now > expires:
            raise ServiceError("quote-expired", "the quote has expired: ask for a new one", status=409)
        if (row.amount_ia, row.bcd_out) != (amount, out):
            raise ServiceError("quote-altered", "the amounts accepted are not the quote's", status=409)
        day = day_of(now)
        counters = self._check_amount(conn, req.account, amount, day)
        self._check_vested(conn, req.account, amount, now)
        self._check_budget(conn, out, day, lock=True)
        self._check_address(conn, address, out, day, lock=True)
        s = self.storage
        if not s.move(conn, TREASURY, "BCD", -out):
            raise ServiceError("reserve-low", "the store's BCD reserve is too low for this swap just now; "
                                              "try a smaller amount or later", status=409)
        if not s.move(conn, req.account, "IA", -amount):
            raise RuntimeError("the IA balance changed under the account's lock")
        s.move(conn, TREASURY, "IA", amount)
        s.move(conn, req.account, "BCD", out)
        debit = s.append(conn, head, "IA", -amount, "swap", f"quote:{qid}", now)
        credit = s.append(conn, head, "BCD", out, "swap", f"quote:{qid}", now)
        conn.execute(t_quotes.update().where(t_quotes.c.id == qid).values(used=1))
        swapped = counters.setdefault(SWAP_COUNTER, [0, 0])
        swapped[0] += 1
        swapped[1] += amount
        s.save_counters(conn, req.account, day, counters, {SWAP_COUNTER})
        if self.require_terms().daily_budget_bcd is not None:
            b = t_swap_budget.c
            conn.execute(t_swap_budget.update().where(b.day == day)
                         .values(bcd_out=b.bcd_out + out, swaps=b.swaps + 1))
        if self.require_terms().address_daily_bcd is not None and address is not None:
            a = t_address_swaps.c
            conn.execute(t_address_swaps.update().where(a.address == address, a.day == day)
                         .values(bcd_out=a.bcd_out + out, swaps=a.swaps + 1))
        return {"receipts": [debit.to_dict(), credit.to_dict()]}
