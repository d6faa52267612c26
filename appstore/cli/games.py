"""``games``, ``games stake ROUND OPTION AMOUNT --yes``, ``games verify ROUND``: the guessing
games from a terminal (docs/cli.md, "Games"; docs/games.md)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from appstore.cli.output import confirm, note, print_json
from appstore.core.errors import AppStoreError
from appstore.core.games.games import Games
from appstore.core.games.rule import payout
from appstore.core.games.views import RoundView, odds_text
from appstore.core.services import Services
from appstore.core.wallet.amounts import format_amount, parse_amount

COMMANDS = ("games",)


def add_parsers(sub: Any) -> None:
    games = sub.add_parser("games", help="guessing games: rounds, your stakes, checks that they were fair")
    games.add_argument("--json", action="store_true")
    games_sub = games.add_subparsers(dest="games_command", metavar="[stake|verify]")
    stake = games_sub.add_parser("stake", help="stake IA on an option of an open round")
    stake.add_argument("round", metavar="ROUND", help="a round id from `games` (or STORE/ROUND)")
    stake.add_argument("option", metavar="OPTION", help="an option id of the round")
    stake.add_argument("amount", metavar="AMOUNT", help="IA to stake")
    stake.add_argument("--yes", action="store_true", help="stake without asking")
    stake.add_argument("--json", action="store_true")
    verify = games_sub.add_parser("verify", help="check a settled round: seed, commitment, draw, payouts")
    verify.add_argument("round", metavar="ROUND")
    verify.add_argument("--json", action="store_true")


def _keep(games: Games) -> None:
    try:
        games.keep_rounds()  # the demo store's rounds, kept running while imapp runs
    except AppStoreError as e:
        note(f"warning: the demo store's game rounds could not be updated ({e})")


def run(args: argparse.Namespace, services: Services) -> int:
    games = services.games
    _keep(games)
    cmd = args.games_command
    if cmd == "stake":
        return _stake(args, services, games)
    if cmd == "verify":
        view = games.verify(args.round)
        if args.json:
            print_json({**view.to_json(), "check": view.check.to_json(view.decimals)})
        else:
            _print_verification(view)
        return 0
    overview = games.overview()
    for problem in overview.problems:
        note(f"warning: {problem}")
    if args.json:
        print_json([v.to_json() for v in overview.rounds])
        return 0
    if not overview.rounds:
        print("no game rounds in your stores")
        return 0
    now = datetime.now(UTC)
    for v in overview.rounds:
        _print_round(v, now)
    totals = overview.totals()
    d = overview.rounds[0].decimals
    if totals["staked"]:
        print(f"\nsettled rounds: staked {format_amount(totals['staked'], d)} IA, received "
              f"{format_amount(totals['received'], d)} IA, net {format_amount(totals['net'], d)} IA")
    return 0


def _stake(args: argparse.Namespace, services: Services, games: Games) -> int:
    store, rnd = games.find(args.round)
    policy = services.rewards.policy(store)
    assert policy is not None
    d = policy.decimals
    amount = parse_amount(args.amount, d, unit="IA")
    opt = rnd.option(args.option)
    if opt is None:
        raise AppStoreError(f"round {rnd.id} has no option {args.option!r} (its options: "
                            f"{', '.join(o.id for o in rnd.options)})")
    win = payout(amount, opt.odds_bp)
    if not args.yes and not confirm(f"Stake {format_amount(amount, d)} IA on {opt.text()} in round {rnd.id} "
                                     f"(pays {format_amount(win, d)} IA if it wins)?"):
        raise AppStoreError("nothing was staked (add --yes to stake without asking)")
    store, receipt = games.stake(f"{store}/{rnd.id}", args.option, amount, seen=rnd)
    if args.json:
        print_json({"round": rnd.id, "store": store, "option": opt.id, "amount": format_amount(amount, d),
                     "odds_bp": opt.odds_bp, "wins": format_amount(win, d), "receipt": receipt.to_dict()})
    else:
        print(f"staked {format_amount(amount, d)} IA on {opt.text()} in round {rnd.id} (receipt {store} "
              f"#{receipt.seq}); it pays {format_amount(win, d)} IA if it wins")
    return 0


def _left(until: datetime, now: datetime) -> str:
    s = max(0, int((until - now).total_seconds()))
    return f"{s // 60}:{s % 60:02d}"


def _print_round(v: RoundView, now: datetime) -> None:
    r, d, c = v.round, v.decimals, v.check
    head = f"{v.state.upper():<9}{r.id}  {r.text('title')}"
    if v.state == "open":
        head += f" (locks in {_left(r.locks_at, now)})"
    print(head)
    if v.state == "open":
        print(f"         {r.text('question')}")
        odds = "  ".join(f"{o.id} ×{odds_text(o.odds_bp)}" for o in r.options)
        stakes = f"{format_amount(r.min_stake, d)}–{format_amount(r.max_stake, d)}"
        print(f"         options: {odds}; stake {stakes} IA")
    if c.result is not None:
        print(f"         drawn: {c.result} (winning: {', '.join(c.winners) or 'none'})")
    for s in c.stakes:
        line = f"         your stake: {format_amount(s.amount, d)} IA on {s.option}"
        if s.paid:
            line += f" → received {format_amount(s.received, d)} IA"
        elif v.state == "settled":
            line += " → lost"
        print(line)
    if c.verdict in ("owed", "invalid", "refunded", "unknown") or c.record_changed:
        print(f"         ! {c.message} (see `games verify {r.id}`)")


def _print_verification(v: RoundView) -> None:
    c, d = v.check, v.decimals
    print(f"round {v.round.id} ({v.store}): {v.round.text('title')} — {v.state}")
    for line in c.steps():
        print(f"  {line}")
    for s in c.stakes:
        print(f"  your stake #{s.receipt.seq}: {format_amount(s.amount, d)} IA on {s.option} at "
              f"×{odds_text(s.odds_bp)}; owed {format_amount(s.expected, d)} IA"
              f"{' (' + s.expected_kind + ')' if s.expected_kind else ''}, received "
              f"{format_amount(s.received, d)} IA"
              + "".join(f" [receipt #{p.seq} {p.kind}]" for p in s.paid))
    print(f"verdict: {c.verdict}: {c.message}")
    if c.owed:
        print(f"owed to you: {format_amount(c.owed, d)} IA")
