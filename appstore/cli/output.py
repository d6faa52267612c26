"""What every command module prints and asks: ``--json`` output on stdout, notes for people on
stderr (stdout stays what a script reads), yes/no questions on a terminal, and a receipt as the
``--json`` outputs list it. Shared here so the command modules do not import one another."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appstore.core.services import Services
    from appstore.core.wallet.receipts import Receipt


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def note(text: str) -> None:
    print(text, file=sys.stderr)


def confirm(question: str) -> bool:
    """Yes only when a person at a terminal answers yes; never without a terminal."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def receipt_json(r: Receipt, services: Services) -> dict[str, Any]:
    """A receipt as ``wallet history --json`` lists it (and ``swap --json``'s ``receipts``):
    the signed fields, ``units`` the amount in base units (an integer), ``amount`` the same as
    a decimal string."""
    out: dict[str, Any] = r.to_dict()
    out["units"] = r.amount
    out["amount"] = services.wallet.balance_text(r.asset, r.amount, r.store) if r.amount >= 0 else \
        "-" + services.wallet.balance_text(r.asset, -r.amount, r.store)
    return out
