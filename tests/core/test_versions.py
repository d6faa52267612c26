import pytest

from appstore.core.versions import Version, is_valid


@pytest.mark.parametrize("lo,hi", [
    ("1.9", "1.10"), ("1.0.0-alpha", "1.0.0"), ("1.0.0-alpha", "1.0.0-alpha.1"),
    ("1.0.0-alpha.1", "1.0.0-beta"), ("1.0.0-beta.2", "1.0.0-beta.11"), ("0.9.9", "1"),
    ("2.0.0-rc.1", "2.0.0"), ("1.0.0-1", "1.0.0-a"),
])
def test_order(lo: str, hi: str) -> None:
    assert Version(lo) < Version(hi)
    assert not Version(hi) < Version(lo)


def test_trailing_zeros_are_equal() -> None:
    assert Version("1.2") == Version("1.2.0") == Version("1.2.0.0")
    assert len({Version("1.2"), Version("1.2.0")}) == 1


@pytest.mark.parametrize("bad", ["", "v1", "1..2", "01.2", "1.2.3.4.5", "1.0-", "1.0-be ta", "1.0+x"])
def test_invalid(bad: str) -> None:
    assert not is_valid(bad)
    with pytest.raises(ValueError, match="not a valid version"):
        Version(bad)
