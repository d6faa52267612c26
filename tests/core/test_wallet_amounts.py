"""Amounts typed by people and scripts: one parser, refusing everything that is not plainly an
amount, and an exact formatter (integers in base units; no float anywhere)."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from appstore.core.wallet.amounts import (
    BCD_DECIMALS,
    MAX_TEXT,
    format_amount,
    max_units,
    parse_amount,
)
from appstore.core.wallet.errors import AmountError

BCD = BCD_DECIMALS
CAP = 210_000_000 * 10 ** 7


@pytest.mark.parametrize(("text", "units"), [
    ("1", 10_000_000),
    ("12.5", 125_000_000),
    ("0.0000001", 1),
    (".5", 5_000_000),
    ("5.", 50_000_000),
    ("007", 70_000_000),
    ("0.1234567", 1_234_567),
    ("1.50000000", 15_000_000),  # zeros past the 7th decimal change nothing
    ("  12.5\n", 125_000_000),  # what a paste brings around it
    ("\t3\r\n", 30_000_000),
    ("210000000", CAP),
    ("209999999.9999999", CAP - 1),
])
def test_accepted(text: str, units: int) -> None:
    assert parse_amount(text, BCD) == units


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"),
    ("   ", "empty"),
    ("-1", "negative"),
    ("-0.5", "negative"),
    ("\u22121", "negative"),  # a typographic minus sign
    ("+1", "sign"),
    ("abc", "not-a-number"),
    ("12abc", "not-a-number"),
    ("0x10", "not-a-number"),
    ("NaN", "not-a-number"),
    ("nan", "not-a-number"),
    ("sNaN", "not-a-number"),
    ("inf", "not-a-number"),
    ("Infinity", "not-a-number"),
    ("∞", "not-a-number"),
    (".", "not-a-number"),
    ("1.2.3", "separator"),
    ("1.234.567", "separator"),
    ("1e400", "exponent"),
    ("1E5", "exponent"),
    ("1.5e-3", "exponent"),
    ("1e", "exponent"),
    ("1,5", "separator"),
    ("1,234", "separator"),
    ("1,234.5", "separator"),
    ("1_000", "separator"),
    ("1'000", "separator"),
    ("1\u2019000", "separator"),
    ("1 000", "whitespace"),
    ("1. 5", "whitespace"),
    ("1\u00a0000", "whitespace"),  # no-break space
    ("\u00a012", "whitespace"),
    ("12\u200b", "whitespace"),  # zero-width space
    ("1\u202f000", "whitespace"),  # narrow no-break space
    ("12\x00", "whitespace"),
    ("\u0661\u0662", "digits"),  # Arabic-Indic digits (Decimal would take them)
    ("\uff11\uff12", "digits"),  # fullwidth digits
    ("2\u00b2", "digits"),  # a superscript
    ("0.00000001", "too-many-decimals"),
    ("1.12345678", "too-many-decimals"),
    ("0", "zero"),
    ("0.0", "zero"),
    ("0.00000000", "zero"),
    ("00", "zero"),
    ("210000000.0000001", "too-large"),
    ("999999999999999999999999", "too-large"),
    ("1" * (MAX_TEXT + 1), "too-long"),
    ("12.5 BCD", "whitespace"),
    ("BCD12.5", "not-a-number"),
    ("$12", "not-a-number"),
])
def test_refused(text: str, code: str) -> None:
    with pytest.raises(AmountError) as e:
        parse_amount(text, BCD)
    assert e.value.code == code, str(e.value)
    assert str(e.value)  # a message a person can read


def test_messages_say_what_to_do() -> None:
    def msg(text: str, **kw: object) -> str:
        with pytest.raises(AmountError) as e:
            parse_amount(text, BCD, **kw)  # type: ignore[arg-type]
        return str(e.value)

    assert "at most 7 decimal places" in msg("0.00000001")
    assert msg("0.00000001", unit="BCD").startswith("BCD has at most 7 decimal places")
    assert "210000000 BCD" in msg("300000000", unit="BCD")
    assert "negative" in msg("-5")
    assert "exponent" in msg("1e400")
    assert "point" in msg("1,5") and "thousands" in msg("1,5")
    assert "ambiguous" in msg("1,234.5", locale_comma=True)
    assert "NaN" in msg("NaN")


def test_decimals_zero_means_whole_units() -> None:
    assert parse_amount("42", 0) == 42
    assert parse_amount("42.000", 0) == 42
    with pytest.raises(AmountError, match="no decimal places") as e:
        parse_amount("42.5", 0)
    assert e.value.code == "too-many-decimals"


def test_comma_locale() -> None:
    assert parse_amount("1,5", BCD, locale_comma=True) == 15_000_000
    assert parse_amount(",25", BCD, locale_comma=True) == 2_500_000
    for text in ("1,234.5", "1.234,5"):
        with pytest.raises(AmountError, match="ambiguous"):
            parse_amount(text, BCD, locale_comma=True)
    for text in ("1.5", "1.500", "1,2,3"):  # a point may mean thousands there: never guessed
        with pytest.raises(AmountError) as e:
            parse_amount(text, BCD, locale_comma=True)
        assert e.value.code == "separator"
    assert format_amount(15_000_000, BCD, locale_comma=True) == "1,5"


def test_zero_allowed_and_cap_override() -> None:
    assert parse_amount("0", BCD, allow_zero=True) == 0
    assert parse_amount("0.0", BCD, allow_zero=True) == 0
    assert parse_amount("5", 2, cap=500) == 500
    with pytest.raises(AmountError) as e:
        parse_amount("5.01", 2, cap=500)
    assert e.value.code == "too-large" and "at most 5" in str(e.value)
    assert max_units(BCD) == CAP
    assert max_units(2) == 21_000_000_000


def test_not_text_or_bad_decimals_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_amount(1.5, BCD)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_amount("1", -1)
    with pytest.raises(ValueError):
        parse_amount("1", 19)


@pytest.mark.parametrize(("units", "decimals", "text"), [
    (125_000_000, 7, "12.5"),
    (1, 7, "0.0000001"),
    (0, 7, "0"),
    (10_000_000, 7, "1"),
    (-125_000_000, 7, "-12.5"),
    (-1, 7, "-0.0000001"),
    (CAP, 7, "210000000"),
    (123, 0, "123"),
    (5, 2, "0.05"),
    (10 ** 40 + 1, 7, "1" + "0" * 33 + ".0000001"),
])
def test_format(units: int, decimals: int, text: str) -> None:
    assert format_amount(units, decimals) == text


def test_format_keeps_zeros_on_request_and_refuses_floats() -> None:
    assert format_amount(125_000_000, 7, keep_zeros=True) == "12.5000000"
    assert format_amount(0, 7, keep_zeros=True) == "0.0000000"
    assert format_amount(7, 0, keep_zeros=True) == "7"
    for bad in (1.5, True, Decimal("1"), "1"):
        with pytest.raises(TypeError):
            format_amount(bad, 7)  # type: ignore[arg-type]


# -- properties ---------------------------------------------------------------------------------

decimals_st = st.integers(min_value=0, max_value=18)


@given(st.data(), decimals_st)
def test_format_then_parse_is_the_identity(data: st.DataObject, decimals: int) -> None:
    units = data.draw(st.integers(min_value=1, max_value=max_units(decimals)))
    text = format_amount(units, decimals)
    assert parse_amount(text, decimals) == units
    assert parse_amount(format_amount(units, decimals, keep_zeros=True), decimals) == units
    comma = format_amount(units, decimals, locale_comma=True)
    assert parse_amount(comma, decimals, locale_comma=True) == units


@given(st.from_regex(r"[0-9]{1,9}(\.[0-9]{0,7})?", fullmatch=True))
@example("0.0000001")
def test_agrees_with_decimal_on_plain_numbers(text: str) -> None:
    expected = Decimal(text) * 10 ** BCD
    assert expected == expected.to_integral_value()
    if expected == 0 or expected > CAP:
        with pytest.raises(AmountError) as e:
            parse_amount(text, BCD)
        assert e.value.code == ("zero" if expected == 0 else "too-large")
    else:
        assert parse_amount(text, BCD) == int(expected)


@given(st.text(max_size=80))
@example("1e400")
@example("NaN")
@example("-0")
@example("1,234.5")
@example("１")
def test_any_text_is_an_amount_or_an_amount_error(text: str) -> None:
    """Whatever is typed: an int within the cap, or AmountError: never another exception."""
    for comma in (False, True):
        try:
            units = parse_amount(text, BCD, locale_comma=comma)
        except AmountError as e:
            assert e.code and str(e)
        else:
            assert type(units) is int and 0 < units <= CAP
            # what was accepted is plain digits and one separator, around the kept whitespace
            core = text.strip(" \t\r\n")
            assert set(core) <= set("0123456789" + ("," if comma else "."))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_python_float_reprs_are_parsed_exactly_or_refused(x: float) -> None:
    """repr() of any float: refused (exponent, nan, inf, sign, too many decimals) or parsed to
    exactly the decimal value written, never a rounded binary one."""
    text = repr(x)
    try:
        units = parse_amount(text, BCD)
    except AmountError:
        return
    assert Decimal(text) * 10 ** BCD == units


@given(st.integers(min_value=1, max_value=CAP), st.integers(min_value=8, max_value=12))
def test_more_decimals_than_allowed_is_refused_unless_zeros(units: int, extra: int) -> None:
    text = format_amount(units, BCD, keep_zeros=True)
    assert parse_amount(text + "0" * (extra - BCD), BCD) == units
    with pytest.raises(AmountError) as e:
        parse_amount(text + "0" * (extra - BCD - 1) + "1", BCD)
    assert e.value.code == "too-many-decimals"


@given(st.integers(min_value=CAP + 1, max_value=10 ** 30))
def test_above_the_cap_is_refused(units: int) -> None:
    with pytest.raises(AmountError) as e:
        parse_amount(format_amount(units, BCD), BCD)
    assert e.value.code in ("too-large", "too-long")
