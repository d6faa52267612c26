"""``wallet …``: the wallet from a terminal (docs/cli.md, "Wallet").

The seed words are read from stdin (``restore``) or shown on stdout (``backup``) only; a
passphrase comes from ``$IMAPP_WALLET_PASSPHRASE`` or, on a terminal, from a prompt that does not
echo. Notes for people (the address look-alike warning, the backup warning) go to stderr, so
stdout stays what a script reads.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from appstore.cli.output import confirm, note, print_json, receipt_json
from appstore.core.errors import AppStoreError
from appstore.core.services import Services
from appstore.core.wallet.errors import BadWords, WalletLocked
from appstore.core.wallet.receipts import ASSETS, KINDS
from appstore.core.wallet.seedstore import ENV_PASSPHRASE, MIN_PASSPHRASE, PassphraseRequest

if TYPE_CHECKING:
    from appstore.core.wallet.wallet import Wallet

COMMANDS = ("wallet",)

BACKUP_WARNING = ("Anyone who sees these words can take everything in this wallet. Write them "
                  "down on paper, in order, and keep them somewhere safe and offline; never type "
                  "them into a website or share them with anyone, including imapp's support.")


def add_parsers(sub: Any) -> None:
    wallet = sub.add_parser("wallet", help="your wallet: address, balances, receipts, backup")
    wsub = wallet.add_subparsers(dest="wallet_command", required=True, metavar="WHAT")
    wsub.add_parser("address", help="the wallet's BCD address (made on first use)")
    balance = wsub.add_parser("balance", help="IA and BCD balances, and what is pending")
    balance.add_argument("--json", action="store_true")
    history = wsub.add_parser("history", help="the receipts, newest first")
    history.add_argument("--json", action="store_true")
    history.add_argument("--asset", choices=ASSETS)
    history.add_argument("--kind", choices=KINDS)
    history.add_argument("--search", metavar="TEXT", help="text in the reference, kind or store")
    history.add_argument("--limit", type=_count, default=100, metavar="N",
                         help="at most N receipts (default 100)")
    verify = wsub.add_parser("verify", help="check every receipt's signature, order and chain")
    verify.add_argument("--json", action="store_true")
    backup = wsub.add_parser("backup", help="show the seed words (after a warning)")
    backup.add_argument("--yes", action="store_true", help="do not ask first (scripts)")
    wsub.add_parser("sync", help="send waiting claims and fetch the receipts the wallet lacks")
    restore = wsub.add_parser("restore", help="restore the wallet from its words, read from stdin")
    restore.add_argument("--yes", action="store_true",
                         help="replace the wallet that is there without asking")
    wsub.add_parser("passphrase", help="change the wallet file's passphrase (when no keyring holds the "
                                       "wallet); the new one is read from stdin when not on a terminal")
    copies = wsub.add_parser("copies", help="the wallet files and ledgers that restores set aside")
    copies.add_argument("--json", action="store_true")
    copies.add_argument("--remove", action="append", metavar="FILE", default=[],
                        help="delete a set-aside wallet file (its name, its path, or 'all'); ledgers "
                             "are never removed")
    copies.add_argument("--yes", action="store_true", help="remove without asking (scripts)")


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a positive whole number")
    return n






def _ask_passphrase(request: PassphraseRequest) -> str | None:
    """The wallet file's passphrase, asked on the terminal (never echoed)."""
    if not sys.stdin.isatty():
        raise WalletLocked(f"the wallet is in a passphrase-protected file: set ${ENV_PASSPHRASE}, or "
                           "run this on a terminal to type the passphrase")
    if request.problem:
        note(request.problem)
    try:
        if not request.new:
            return getpass.getpass("Wallet passphrase: ")
        if not request.change:
            note(f"No system keyring can keep the wallet here: it goes in {request.path}, protected by a "
                 f"passphrase of at least {MIN_PASSPHRASE} characters. There is no way to recover a "
                 "forgotten passphrase (only the seed words).")
        first = getpass.getpass("New passphrase: ")
        if getpass.getpass("Repeat it: ") != first:
            raise WalletLocked("the two passphrases differ: nothing was changed")
        return first
    except EOFError:
        return None




def run(args: argparse.Namespace, services: Services) -> int:
    services.wallet_passphrase = _ask_passphrase
    try:
        return _run(args, services)
    except BadWords as e:
        # Said here, not raised: the close words it suggests must not reach the log.
        print(f"error: {e.user_detail()}", file=sys.stderr)
        return 1
    finally:
        services.close()


def _run(args: argparse.Namespace, services: Services) -> int:
    wallet = services.wallet
    what = args.wallet_command
    if what == "address":
        print(wallet.give_address(create=True))  # checked against the key where it is at hand
        from appstore.core.wallet.address import LOOKALIKE_NOTE

        note(f"note: {LOOKALIKE_NOTE}")
        return 0
    if what in ("passphrase", "copies"):
        from appstore.cli.seeds import copies, passphrase

        return passphrase(wallet) if what == "passphrase" else copies(args, wallet)
    if what == "sync":
        from appstore.cli.rewards import sync

        return sync(services)
    if what in ("balance", "history"):
        from appstore.cli.rewards import claim_and_tell

        claim_and_tell(services)  # what was recorded earns IA first (best effort)
    if what == "balance":
        return _balance(args, wallet)
    if what == "history":
        return _history(args, services)
    if what == "verify":
        return _verify(args, wallet)
    if what == "backup":
        return _backup(args, wallet)
    return _restore(args, wallet)


def _balance(args: argparse.Namespace, wallet: Wallet) -> int:
    balances = wallet.balances()
    if args.json:
        print_json(balances.to_json())
        return 0
    for asset in ASSETS:
        print(f"{asset:<4} {balances.totals[asset].text}")
    if balances.pending_count:
        expected = ", ".join(f"+{b.text} {a}" for a, b in balances.pending.items())
        print(f"pending: {balances.pending_count} claim(s) not yet credited"
              + (f" ({expected})" if expected else ""))
    return 0


def _history(args: argparse.Namespace, services: Services) -> int:
    wallet = services.wallet
    rows = wallet.history(args.asset, args.kind, args.search, limit=args.limit)
    if args.json:
        print_json([receipt_json(r, services) for r in rows])
        return 0
    if not rows:
        print("no receipts yet")
    for r in rows:
        amount = wallet.balance_text(r.asset, abs(r.amount), r.store)
        sign = "+" if r.amount >= 0 else "-"
        print(f"{r.time}\t{r.kind}\t{sign}{amount} {r.asset}\t{r.reference}\t{r.store} #{r.seq}")
    return 0


def _verify(args: argparse.Namespace, wallet: Wallet) -> int:
    result = wallet.verify()
    if args.json:
        problem = result.problem
        print_json({"ok": result.ok, "receipts": result.receipts, "signatures": result.signatures,
                     "unanchored": list(result.unanchored),
                     "problem": None if problem is None else {
                         "kind": problem.kind.value, "store": problem.store, "seq": problem.seq,
                         "detail": problem.detail, "message": str(problem)}})
    elif result.ok:
        print(result)
        for store in result.unanchored:
            print(f"note: store {store} is not one of your stores or names no IA service: its receipts "
                  "were checked against the key their chain is held by, which no signed policy vouches "
                  "for, and they are not counted in your balance")
    else:
        print(f"the ledger does NOT verify: {result}. Nothing can be spent until the wallet is "
              f"re-synced from store {result.problem.store}'s IA service "  # type: ignore[union-attr]
              "(`wallet sync`)")
    return 0 if result.ok else 1


def _backup(args: argparse.Namespace, wallet: Wallet) -> int:
    note(f"warning: {BACKUP_WARNING}")
    if not args.yes and not confirm("Show the seed words now?"):
        raise AppStoreError("the words were not shown (run `wallet backup --yes` to show them "
                            "without asking)")
    words = wallet.words()
    print(words.reveal())
    return 0


def _restore(args: argparse.Namespace, wallet: Wallet) -> int:
    """Words typed (not shown) or piped in; a wallet already here is replaced only when confirmed."""
    from appstore.core.wallet.keys import parse_words

    if sys.stdin.isatty():
        text = getpass.getpass("Seed words (not shown as you type): ")
    else:
        text = sys.stdin.read(4096)
    words = parse_words(text)  # BadWords says which word, or the checksum
    status = wallet.status()
    replace = False
    if status.storage is not None:
        shown = f" ({status.address})" if status.address else ""
        if not args.yes and not confirm(f"Replace the wallet that is here{shown}? Its receipts are kept "
                                         "aside, but without its words it cannot be restored"):
            raise AppStoreError(f"there is already a wallet here{shown}: nothing was changed (add --yes "
                                "to replace it)")
        replace = True
    address = wallet.restore(words, replace=replace)
    print(f"restored the wallet: {address}")
    from appstore.cli.seeds import tell_copies

    tell_copies(wallet)
    return 0

