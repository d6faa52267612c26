"""``wallet passphrase`` and ``wallet copies`` (docs/cli.md, "Wallet"): the wallet file's
passphrase, and the copies that restores set aside. Loaded by ``cli/wallet.py`` for these only."""

from __future__ import annotations

import argparse
import os
import sys

from appstore.cli.output import confirm, note, print_json
from appstore.core.errors import AppStoreError
from appstore.core.wallet.seedcopies import SetAside
from appstore.core.wallet.seedstore import ENV_PASSPHRASE, MIN_PASSPHRASE
from appstore.core.wallet.wallet import Wallet


def passphrase(wallet: Wallet) -> int:
    """Change the wallet file's passphrase: the current one from the variable or a prompt, the
    new one from a prompt (twice), or from stdin's first line when it is not a terminal."""
    new: str | None = None
    if not sys.stdin.isatty():
        new = sys.stdin.readline(1024).rstrip("\r\n")
        if len(new) < MIN_PASSPHRASE:
            raise AppStoreError(f"the new passphrase (the first line of stdin) has fewer than "
                                f"{MIN_PASSPHRASE} characters: nothing was changed")
    status = wallet.seeds.change_passphrase(new)
    print(f"changed the passphrase of the wallet file {status.file}")
    if os.environ.get(ENV_PASSPHRASE):
        note(f"note: ${ENV_PASSPHRASE} still holds the old passphrase: set it to the new one")
    return 0


def copies(args: argparse.Namespace, wallet: Wallet) -> int:
    items = wallet.seeds.copies()
    if args.remove:
        return _remove(args, wallet, items)
    if args.json:
        print_json([c.to_json() for c in items])
        return 0
    if not items:
        print("no copies set aside")
        return 0
    for c in items:
        print(f"{c.time}\t{c.kind}\t{c.address or '-'}\t{c.size}\t{c.path}")
    if any(c.removable for c in items):
        note("note: a set-aside wallet file is removed with `wallet copies --remove NAME` (it holds the "
             "words of the wallet it names: keep it unless you have those words); ledgers hold receipts "
             "and are kept")
    return 0


def tell_copies(wallet: Wallet) -> None:
    """After a restore: what is set aside, so it never piles up unseen."""
    items = wallet.seeds.copies()
    seeds = [c for c in items if c.kind == "seed"]
    if seeds:
        where = seeds[0].path.parent
        note(f"note: {len(seeds)} replaced wallet file(s) are kept, still encrypted, in {where} "
             "(`wallet copies` lists them, `wallet copies --remove NAME` deletes one)")


def _remove(args: argparse.Namespace, wallet: Wallet, items: list[SetAside]) -> int:
    chosen: list[SetAside] = []
    for name in args.remove:
        if name == "all":
            chosen += [c for c in items if c.removable and c not in chosen]
            continue
        found = [c for c in items if name in (c.path.name, str(c.path))]
        if not found:
            raise AppStoreError(f"no set-aside copy is called {name!r}: `wallet copies` lists them")
        if not found[0].removable:
            raise AppStoreError(f"{found[0].path.name} holds the receipts of another account: imapp never "
                                "removes it (a restore of that account brings them back)")
        if found[0] not in chosen:
            chosen.append(found[0])
    if not chosen:
        print("no set-aside wallet files to remove")
        return 0
    names = ", ".join(f"{c.path.name} ({c.address or 'address unknown'})" for c in chosen)
    if not args.yes and not confirm(f"Delete {names}? Each holds the words of that wallet, encrypted: "
                                    "without it or those words that wallet cannot be restored"):
        raise AppStoreError("nothing was removed (add --yes to remove without asking)")
    for c in chosen:
        wallet.seeds.remove_copy(c.path)
        print(f"removed {c.path}")
    return 0
