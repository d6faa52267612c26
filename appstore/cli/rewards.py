"""``rewards``, ``share``, ``swap``, ``withdraw`` and ``wallet sync``: the stores' IA services
from a terminal (docs/cli.md, "Rewards and swaps"; docs/ia-service.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from appstore.cli.output import confirm, note, print_json, receipt_json
from appstore.core.activity import Activity
from appstore.core.errors import AppStoreError
from appstore.core.ia.errors import ServiceUnreachable
from appstore.core.rewards import ClaimReport, Rewards
from appstore.core.services import Services
from appstore.core.store.manager import CatalogView
from appstore.core.wallet.amounts import BCD_DECIMALS, format_amount, parse_amount

COMMANDS = ("rewards", "share", "swap", "withdraw")
KIND_WORDS = {"browse": "browsed", "forward": "shared", "download": "downloaded", "update": "updated",
              "open": "opened"}


def add_parsers(sub: Any) -> None:
    rewards = sub.add_parser("rewards", help="what each activity earns, today's progress, the next dividend")
    rewards.add_argument("--json", action="store_true")
    rewards.add_argument("--store", metavar="ID", help="one store (default: every store with a service)")
    share = sub.add_parser("share", help="share an app: records a forward (earns IA) and prints its link")
    share.add_argument("app_id", metavar="ID")
    swap = sub.add_parser("swap", help="swap IA for BCD at the store's published rate")
    swap.add_argument("amount", metavar="AMOUNT|quote", help="IA to swap, or `quote` then AMOUNT")
    swap.add_argument("quote_amount", nargs="?", metavar="AMOUNT", help=argparse.SUPPRESS)
    swap.add_argument("--yes", action="store_true", help="accept the quote without asking")
    swap.add_argument("--json", action="store_true")
    swap.add_argument("--store", metavar="ID")
    withdraw = sub.add_parser("withdraw", help="ask the store to send BCD to a BCD address")
    withdraw.add_argument("address", metavar="ADDRESS")
    withdraw.add_argument("amount", metavar="AMOUNT", help="BCD to withdraw")
    withdraw.add_argument("--yes", action="store_true", help="do not ask first")
    withdraw.add_argument("--store", metavar="ID")


def claim_and_tell(services: Services, view: CatalogView | None = None) -> ClaimReport | None:
    """Send the claims for what was recorded (after install, share…) and say what came of them
    on stderr; a claim a service did not answer stays pending (why is said once)."""
    try:
        report = services.rewards.claim()
    except AppStoreError as e:
        note(f"warning: rewards not claimed now ({e}); they are claimed next time")
        return None
    for c in report.credits:
        decimals = services.wallet.decimals("IA", c.store)
        note(f"+{format_amount(c.receipt.amount, decimals)} IA — {KIND_WORDS.get(c.kind, c.kind)} "
              f"{_name(view, c.store, c.app_id)}")
    for r in report.refusals:
        note(f"no IA for {KIND_WORDS.get(r.kind, r.kind)} {_name(view, r.store, r.app_id)}: {r.message}")
    for problem in report.problems:
        note(f"warning: {problem}")
    if report.pending and not report.problems:
        note(f"{report.pending} reward claim(s) pending: they are sent again next time")
    return report


def _name(view: CatalogView | None, store: str, app_id: str) -> str:
    return (view.app_name(store, app_id, "en") if view is not None else None) or app_id


def _store(rewards: Rewards, wanted: str | None) -> str:
    stores = rewards.stores_with_service()
    if wanted is not None:
        if wanted not in stores:
            raise AppStoreError(f"store {wanted} has no IA service (stores with one: "
                                f"{', '.join(stores) or 'none'})")
        return wanted
    if not stores:
        raise AppStoreError("none of your stores has an IA service")
    return stores[0]


def run(args: argparse.Namespace, services: Services, view: CatalogView) -> int:
    cmd = args.command
    rewards = services.rewards
    if cmd == "share":
        listing = view.find(args.app_id)
        app = listing.app
        services.activity.record(Activity.FORWARD, app.store, app.id)
        print(f"imapp://app/{app.store}/{app.id}")  # what a person would paste
        claim_and_tell(services, view)
        return 0
    if cmd == "rewards":
        claim_and_tell(services, view)
        return _rewards(args, services)
    store = _store(rewards, args.store)
    policy = rewards.policy(store)
    assert policy is not None
    if cmd == "withdraw":
        from appstore.core.wallet.address import LOOKALIKE_NOTE, decode_address

        decode_address(args.address)
        units = parse_amount(args.amount, BCD_DECIMALS)
        note(f"note: {LOOKALIKE_NOTE}")
        note("The store's operator sends the BCD on the BCD chain; imapp records the signed request.")
        if not args.yes and not confirm(f"Withdraw {format_amount(units, BCD_DECIMALS)} BCD to "
                                         f"{args.address}?"):
            raise AppStoreError("nothing was withdrawn (add --yes to withdraw without asking)")
        receipt = rewards.withdraw(store, args.address, units)
        print(f"withdrawal requested: {format_amount(-receipt.amount, BCD_DECIMALS)} BCD to {args.address} "
              f"(receipt {store} #{receipt.seq})")
        return 0
    # swap [quote] AMOUNT
    quoting = args.amount == "quote"
    text = args.quote_amount if quoting else args.amount
    if text is None:
        raise AppStoreError("say how much IA to swap: `swap quote AMOUNT` or `swap AMOUNT --yes`")
    if not quoting and args.quote_amount is not None:
        raise AppStoreError(f"unexpected {args.quote_amount!r}: `swap AMOUNT --yes` takes one amount")
    amount = parse_amount(text, policy.decimals)
    claim_and_tell(services, view)
    quote = rewards.quote(store, amount)
    described = {
        "quote": quote.id, "store": store, "ia": format_amount(quote.amount_ia, policy.decimals),
        "fee": format_amount(quote.fee, policy.decimals), "rate": quote.rate,
        "bcd": format_amount(quote.bcd_out, BCD_DECIMALS), "expires": quote.expires,
    }
    if quoting:
        if args.json:
            print_json(described)
        else:
            print(f"{described['ia']} IA → {described['bcd']} BCD (rate {quote.rate} BCD per IA, fee "
                  f"{described['fee']} IA), valid until {quote.expires}")
        return 0
    if not args.yes and not confirm(f"Swap {described['ia']} IA for {described['bcd']} BCD (fee "
                                     f"{described['fee']} IA)?"):
        raise AppStoreError("nothing was swapped (add --yes to swap without asking)")
    receipts = rewards.swap(store, quote)
    if args.json:
        print_json({**described, "receipts": [receipt_json(r, services) for r in receipts]})
    else:
        print(f"swapped {described['ia']} IA for {described['bcd']} BCD")
    return 0


def _rewards(args: argparse.Namespace, services: Services) -> int:
    rewards = services.rewards
    stores = [_store(rewards, args.store)] if args.store else rewards.stores_with_service()
    out: list[dict[str, Any]] = []
    for store in stores:
        policy = rewards.policy(store)
        assert policy is not None
        d = policy.decimals
        row: dict[str, Any] = {"store": store, "decimals": d, "reachable": True,
                               "rewards": {k: format_amount(v, d) for k, v in policy.rewards.items()},
                               "caps": dict(policy.caps), "daily_cap": format_amount(policy.daily_cap, d),
                               "browse_seconds": policy.browse_seconds}
        try:
            status = rewards.status(store)
        except ServiceUnreachable as e:
            row.update(reachable=False, error=str(e))
        else:
            row.update(day=status.day, today={k: {"count": s.count, "cap": s.cap,
                                                  "amount": format_amount(s.amount, d)}
                                              for k, s in status.kinds.items()},
                       today_total=format_amount(status.total_amount, d), next_dividend=status.next_dividend,
                       pool=format_amount(status.pool, d))
        out.append(row)
    if args.json:
        print_json(out)
        return 0
    if not out:
        print("none of your stores pays rewards")
    for row in out:
        print(f"store {row['store']}")
        for kind, pays in row["rewards"].items():
            today = row.get("today", {}).get(kind)
            progress = f"  today {today['count']}/{today['cap']}" if today else ""
            print(f"  {kind:<9} {pays:>8} IA{progress}")
        if row["reachable"]:
            print(f"  today {row['today_total']} of {row['daily_cap']} IA; next dividend "
                  f"{row['next_dividend'] or 'none'} (pool {row['pool']} IA)")
        else:
            print(f"  the service cannot be reached now: {row['error']}")
    return 0


def sync(services: Services) -> int:
    """``wallet sync``: claims, then the receipts the wallet lacks from every store."""
    claim_and_tell(services)
    failed = False
    for store in services.rewards.stores_with_service():
        try:  # one store that cannot be synced does not stop the others
            added = services.rewards.sync(store)
        except AppStoreError as e:
            print(f"error: {store}: {e}", file=sys.stderr)
            failed = True
            continue
        print(f"{store}: {added} receipt(s) received")
    return 1 if failed else 0
