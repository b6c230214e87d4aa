"""Checksums of Russian identifiers: ИНН, ОГРН, СНИЛС."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INN_ERROR = _("ИНН должен состоять из 10 цифр (организация) или 12 цифр и иметь верную контрольную сумму.")
OGRN_ERROR = _("ОГРН должен состоять из 13 цифр и иметь верную контрольную сумму.")
SNILS_ERROR = _("СНИЛС должен состоять из 11 цифр и иметь верную контрольную сумму.")


def _digits(value: str) -> list[int]:
    return [int(c) for c in value]


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or len(value) not in (10, 12):
        return False
    d = _digits(value)
    if len(value) == 10:
        weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
        return sum(w * x for w, x in zip(weights, d, strict=False)) % 11 % 10 == d[9]
    w11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    w12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    c11 = sum(w * x for w, x in zip(w11, d, strict=False)) % 11 % 10
    c12 = sum(w * x for w, x in zip(w12, d, strict=False)) % 11 % 10
    return c11 == d[10] and c12 == d[11]


def is_valid_ogrn(value: str) -> bool:
    if not value.isdigit() or len(value) != 13:
        return False
    return int(value[:12]) % 11 % 10 == int(value[12])


def is_valid_snils(value: str) -> bool:
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 11:
        return False
    number, control = digits[:9], int(digits[9:])
    if int(number) <= 1001998:
        return True  # numbers up to 001-001-998 carry no checksum
    total = sum(int(c) * (9 - i) for i, c in enumerate(number))
    if total < 100:
        expected = total
    elif total in (100, 101):
        expected = 0
    else:
        expected = total % 101
        if expected == 100:
            expected = 0
    return expected == control


def normalise_snils(value: str) -> str:
    """Return the СНИЛС as «XXX-XXX-XXX YY» whatever separators it came with."""
    d = "".join(c for c in value if c.isdigit())
    return f"{d[0:3]}-{d[3:6]}-{d[6:9]} {d[9:11]}" if len(d) == 11 else value


def validate_inn(value: str) -> None:
    if not is_valid_inn(value):
        raise ValidationError(INN_ERROR, code="invalid_inn")


def validate_ogrn(value: str) -> None:
    if not is_valid_ogrn(value):
        raise ValidationError(OGRN_ERROR, code="invalid_ogrn")


def validate_snils(value: str) -> None:
    if not is_valid_snils(value):
        raise ValidationError(SNILS_ERROR, code="invalid_snils")
