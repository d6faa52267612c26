"""Amounts typed by a user or a script, parsed in one place; amounts shown, formatted in one place.

Money is an integer number of base units (BCD has 7 decimals: 1 BCD = 10,000,000 units). Parsing
and formatting use integer arithmetic on the digits themselves: no ``float`` anywhere, and not
even ``Decimal`` (whose parser accepts ``NaN``, ``1e400``, ``1_000`` and non-ASCII digits).

The rules (docs/wallet.md, "Amounts"):

* ASCII digits only, with at most one decimal separator: a point, or a comma where the locale
  writes decimals with a comma (``locale_comma=True``: ``1,5``; then a point is refused, since
  ``1.500`` may mean fifteen hundred there).
* No thousands separators of any kind (``1,234``, ``1.234.567``, ``1_000``, ``1'000``, ``1 000``):
  refused, never guessed. ``1,234.5`` is refused as ambiguous.
* Spaces, tabs and line ends around the amount are ignored (what a paste brings); anything else
  that is blank or invisible (inside the number, or a no-break or zero-width space anywhere) is
  refused.
* No sign: a negative amount is refused, and so is ``+5``. No exponent (``1e5``, ``1e400``), no
  ``NaN``, no ``inf``.
* At most ``decimals`` digits after the separator (zeros past them are accepted: ``1.50000000``
  is exactly 1.5). ``.5`` and ``5.`` are accepted.
* Zero is refused unless ``allow_zero``. More than the cap is refused: by default 210,000,000
  whole units (BCD's maximum supply), i.e. ``210_000_000 * 10**decimals`` base units.
"""

from __future__ import annotations

import re
import unicodedata

from appstore.core.errors import shorten
from appstore.core.wallet.errors import AmountError

BCD_DECIMALS = 7
IA_DEFAULT_DECIMALS = 8  # IA's decimals until a store's signed policy says otherwise
BCD_MAX_SUPPLY = 210_000_000  # whole BCD
MAX_DECIMALS = 18
MAX_TEXT = 64  # characters of an amount, after trimming

_MINUS = "-\u2212\u2012\u2013\u2014\ufe63\uff0d"  # hyphen-minus, minus sign, dashes, small/fullwidth
_PLUS = "+\ufe62\uff0b"
_GROUPING = "_'\u2019\u00b7"  # underscore, apostrophes, middle dot: thousands separators elsewhere
_NOT_NUMBERS = {"nan", "snan", "qnan", "inf", "infinity", "∞"}
_EXPONENT = re.compile(r"[0-9.,]*[0-9.][eE][+\-]?[0-9]*")


def max_units(decimals: int) -> int:
    """The default cap for an amount with ``decimals`` decimals: 210,000,000 whole units."""
    return BCD_MAX_SUPPLY * _pow10(_check_decimals(decimals))


def parse_amount(text: str, decimals: int, *, locale_comma: bool = False, allow_zero: bool = False,
                 cap: int | None = None, unit: str = "") -> int:
    """``text`` as a number of base units, or ``AmountError`` saying why not (see the module's
    rules). ``unit`` (e.g. ``"BCD"``) names the asset in messages; ``cap`` overrides the
    largest amount accepted, in base units."""
    if not isinstance(text, str):
        raise TypeError(f"an amount to parse is text, not {type(text).__name__}")
    decimals = _check_decimals(decimals)
    limit = max_units(decimals) if cap is None else cap
    s = text.strip(" \t\r\n")
    if not s:
        raise AmountError("enter an amount", code="empty")
    if len(s) > MAX_TEXT:
        raise AmountError(f"the amount is too long (more than {MAX_TEXT} characters)", code="too-long")
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp") for c in s):
        raise AmountError("the amount contains a space or an invisible character: type only the "
                          "digits and the decimal separator", code="whitespace")
    if s[0] in _MINUS:
        raise AmountError("the amount cannot be negative", code="negative")
    if s[0] in _PLUS:
        raise AmountError("write the amount without a sign", code="sign")
    if s.lower() in _NOT_NUMBERS:
        raise AmountError(f"“{shorten(s, 20)}” is not an amount: type a number such as "
                          f"{_example(locale_comma)}", code="not-a-number")
    if any(c.isdigit() and not c.isascii() for c in s):  # ١٢, １２, ², …
        raise AmountError("type the amount with the digits 0 to 9", code="digits")
    if _EXPONENT.fullmatch(s):
        raise AmountError("write the amount in full, without an exponent (like 1e5)", code="exponent")
    sep, other = (",", ".") if locale_comma else (".", ",")
    if any(c in _GROUPING for c in s):
        raise AmountError("write the amount without thousands separators, e.g. "
                          f"{_example(locale_comma, 1234)}", code="separator")
    if other in s:
        if sep in s:
            raise AmountError(f"“{shorten(s, 20)}” is ambiguous: write the amount without thousands "
                              f"separators, with a {_name(sep)} for decimals, e.g. "
                              f"{_example(locale_comma, 1234)}", code="separator")
        raise AmountError(f"use a {_name(sep)} for decimals, e.g. {_example(locale_comma)}, and no "
                          f"thousands separators", code="separator")
    if s.count(sep) > 1:
        raise AmountError(f"use one {_name(sep)} for decimals and no thousands separators, e.g. "
                          f"{_example(locale_comma, 1234)}", code="separator")
    whole, _, frac = s.partition(sep)
    if not (whole + frac) or not (whole + frac).isascii() or not (whole + frac).isdigit():
        raise AmountError(f"“{shorten(s, 20)}” is not an amount: type a number such as "
                          f"{_example(locale_comma)}", code="not-a-number")
    if len(frac) > decimals:
        if frac[decimals:].strip("0"):
            who = f"{unit} has" if unit else "amounts have"
            if decimals == 0:
                raise AmountError(f"{who} no decimal places: type a whole number", code="too-many-decimals")
            raise AmountError(f"{who} at most {decimals} decimal places (this one has {len(frac)})",
                              code="too-many-decimals")
        frac = frac[:decimals]
    units = int(whole or "0") * _pow10(decimals) + int(frac.ljust(decimals, "0") or "0")
    if units == 0 and not allow_zero:
        raise AmountError("the amount must be more than zero", code="zero")
    if units > limit:
        most = format_amount(limit, decimals, locale_comma=locale_comma)
        raise AmountError(f"the amount is too large: at most {most}{' ' + unit if unit else ''}",
                          code="too-large")
    return units


def format_amount(units: int, decimals: int, *, keep_zeros: bool = False, locale_comma: bool = False) -> str:
    """``units`` base units as exact decimal text: ``format_amount(125_000_000, 7) == "12.5"``,
    ``format_amount(1, 7) == "0.0000001"``, negative amounts with a leading ``-``. Trailing zeros
    go unless ``keep_zeros`` (``"12.5000000"``); no thousands separators (the inverse of
    ``parse_amount``). Only ``int``: a float (or a bool) is a ``TypeError``."""
    if type(units) is not int:
        raise TypeError(f"an amount is an integer number of base units, not {type(units).__name__}")
    decimals = _check_decimals(decimals)
    sign = "-" if units < 0 else ""
    whole, rest = divmod(abs(units), _pow10(decimals))
    frac = str(rest).rjust(decimals, "0") if decimals else ""
    if not keep_zeros:
        frac = frac.rstrip("0")
    return f"{sign}{whole}{',' if locale_comma else '.'}{frac}" if frac else f"{sign}{whole}"


def _check_decimals(decimals: int) -> int:
    if type(decimals) is not int or not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be an integer from 0 to {MAX_DECIMALS}, not {decimals!r}")
    return decimals


def _pow10(n: int) -> int:
    return int(10 ** n)


def _name(sep: str) -> str:
    return "comma" if sep == "," else "point"


def _example(locale_comma: bool, whole: int = 12) -> str:
    return f"{whole},5" if locale_comma else f"{whole}.5"
