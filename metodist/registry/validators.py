"""Checksums of Russian identifiers: ИНН and ОГРН through python-stdnum, СНИЛС here (stdnum has none)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ru import inn, ogrn

INN_ERROR = _("ИНН должен состоять из 10 цифр (организация) или 12 цифр и иметь верную контрольную сумму.")
OGRN_ERROR = _("ОГРН должен состоять из 13 цифр и иметь верную контрольную сумму.")
SNILS_ERROR = _("СНИЛС должен состоять из 11 цифр и иметь верную контрольную сумму.")


def is_valid_inn(value: str) -> bool:
    return value.isdigit() and len(value) in (10, 12) and inn.is_valid(value)


def is_valid_ogrn(value: str) -> bool:
    """ОГРН of a legal entity (13 digits; the 15-digit ОГРНИП of an entrepreneur is not an organisation)."""
    return value.isdigit() and len(value) == 13 and ogrn.is_valid(value)


def inn_with_checksum(first9: str) -> str:
    """A 10-digit organisation ИНН from its first 9 digits (for generated data)."""
    return first9 + inn.calc_company_check_digit(first9)


def ogrn_with_checksum(first12: str) -> str:
    """A 13-digit ОГРН from its first 12 digits (for generated data)."""
    return first12 + ogrn.calc_check_digit(first12 + "0")  # stdnum reads the digits before the last


# СНИЛС: python-stdnum has no module for it, so its checksum lives here, once.
SNILS_WITHOUT_CHECKSUM_UPTO = 1_001_998  # numbers up to 001-001-998 carry no checksum


def snils_check_digits(number: str) -> str:
    """The two control digits of a СНИЛС whose first 9 digits are ``number``."""
    total = sum(int(c) * (9 - i) for i, c in enumerate(number))
    if total < 100:
        return f"{total:02d}"
    return f"{total % 101 % 100:02d}"


def is_valid_snils(value: str) -> bool:
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 11:
        return False
    if int(digits[:9]) <= SNILS_WITHOUT_CHECKSUM_UPTO:
        return True
    return snils_check_digits(digits[:9]) == digits[9:]


def snils_with_checksum(number: str) -> str:
    """A formatted СНИЛС from its first 9 digits (for generated data)."""
    return normalise_snils(number + snils_check_digits(number))


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
