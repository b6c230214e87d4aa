"""Identifier checksums against published numbers and a by-hand reading of the rules."""

import pytest

from metodist.registry.validators import (
    inn_with_checksum,
    is_valid_inn,
    is_valid_ogrn,
    is_valid_snils,
    ogrn_with_checksum,
    snils_with_checksum,
)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("7707083893", True),  # ПАО Сбербанк
        ("7707083894", False),
        ("500100732259", True),  # the 12-digit example of the ФНС documentation
        ("500100732258", False),
        ("77070838", False),
        ("77070838 3", False),
        ("", False),
    ],
)
def test_inn(value, valid):
    assert is_valid_inn(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1027700132195", True),  # ПАО Сбербанк
        ("1027700132196", False),
        ("0027700132195", False),  # a ОГРН never starts with 0
        ("315774600002662", False),  # an entrepreneur's ОГРНИП is not an organisation's ОГРН
        ("102770013219", False),
    ],
)
def test_ogrn(value, valid):
    assert is_valid_ogrn(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("112-233-445 95", True),  # 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95
        ("11223344595", True),
        ("112-233-445 94", False),
        ("001-001-998 00", True),  # numbers up to 001-001-998 carry no checksum
        ("001-001-999 00", False),
        ("123-456-789 01", False),
        ("12345", False),
    ],
)
def test_snils(value, valid):
    assert is_valid_snils(value) is valid


def _snils_control(first9: str) -> int:
    """The rule as the Пенсионный фонд publishes it, written out step by step."""
    total = sum(int(digit) * weight for digit, weight in zip(first9, range(9, 0, -1), strict=True))
    while total > 101:
        total %= 101
    return 0 if total in (100, 101) else total


@pytest.mark.parametrize("first9", ["112233445", "987654321", "000000999", "555555555", "100200300"])
def test_generated_identifiers_are_valid(first9):
    snils = snils_with_checksum(first9)
    if int(first9) > 1_001_998:
        assert int(snils[-2:]) == _snils_control(first9)
    assert is_valid_snils(snils)
    assert is_valid_inn(inn_with_checksum(first9))
    assert is_valid_ogrn(ogrn_with_checksum("1" + first9 + "77"))
