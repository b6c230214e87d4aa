"""Checksums of Russian identifiers: ИНН and ОГРН through python-stdnum, СНИЛС here (stdnum has none),
and the rules of the registry's data with their messages (one home: models, forms, API and imports use them)."""

import datetime

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


# --- Rules of the registry's data: one home for every message -------------------------------------------
# The models' ``clean()`` and constraints raise these; forms, the API and the imports show them unchanged.
# Messages with ``%(value)s`` get the date as ДД.ММ.ГГГГ through the ValidationError's ``params``.

MIN_AGE = 18
MAX_AGE = 100
MIN_EXPERIENCE_AGE = 16
EARLIEST_EXPERIENCE = datetime.date(1930, 1, 1)
EARLIEST_COURSE = datetime.date(1950, 1, 1)
COURSE_MAX_HOURS = 2000
COURSE_MAX_DAYS_AHEAD = 366

BIRTH_DATE_IN_FUTURE = _("Дата рождения %(value)s ещё не наступила.")
TOO_YOUNG = _("По дате рождения %(value)s работнику нет 18 лет. Проверьте дату рождения.")
TOO_OLD = _("Дата рождения %(value)s указана неверно: работнику больше 100 лет.")
EXPERIENCE_IN_FUTURE = _("Начало педагогического стажа %(value)s ещё не наступило.")
EXPERIENCE_BEFORE_1930 = _("Начало педагогического стажа %(value)s раньше 1930 года. Проверьте дату.")
EXPERIENCE_BEFORE_16 = _(
    "Начало педагогического стажа %(value)s раньше, чем работнику исполнилось 16 лет. Проверьте даты."
)
SNILS_TAKEN = _("СНИЛС уже указан у другого педагога.")

EMPLOYMENT_END_BEFORE_START = _("Дата увольнения раньше даты приёма.")
CATEGORY_DATE_REQUIRED = _("Укажите дату присвоения категории.")
CATEGORY_DATE_IN_FUTURE = _("Дата присвоения категории %(value)s ещё не наступила.")
EMPLOYMENT_DUPLICATE = _("Педагог уже работает в этой организации в этой должности.")

COURSE_END_BEFORE_START = _("Окончание курсов раньше их начала.")
COURSE_DATE_OUT_OF_RANGE = _(
    "Дата %(value)s указана неверно: курсы проходят не раньше 1950 года и не позже чем через год от сегодняшнего дня."
)
COURSE_TOO_MANY_HOURS = _("Объём курсов не может быть больше %(limit)s часов.")

SCHOOL_CLASS_DUPLICATE = _("Такой класс в этом учебном году уже есть.")
ASSIGNMENT_DUPLICATE = _("Этот педагог уже ведёт этот предмет в этом классе.")
ASSIGNMENT_PERSON_NOT_IN_ORGANISATION = _("Педагог не работает в организации этого класса.")
STATUS_DUPLICATE = _("Этот статус уже указан.")


def _date_text(day: datetime.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"  # strftime drops the zeros of year 1


def _error(message, code: str, day: datetime.date | None = None) -> ValidationError:
    params = {"value": _date_text(day)} if day is not None else None
    return ValidationError(message, code=code, params=params)


def _full_years(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def person_date_errors(
    *, birth_date: datetime.date | None, experience_start: datetime.date | None, today: datetime.date
) -> dict[str, ValidationError]:
    """What is impossible in a person's dates: a worker is 18 to 100 years old, and their pedagogical
    experience starts after 1930, not in the future and not before they were 16."""
    errors: dict[str, ValidationError] = {}
    if birth_date is not None:
        if birth_date > today:
            errors["birth_date"] = _error(BIRTH_DATE_IN_FUTURE, "birth_date_in_future", birth_date)
        elif _full_years(birth_date, today) < MIN_AGE:
            errors["birth_date"] = _error(TOO_YOUNG, "too_young", birth_date)
        elif _full_years(birth_date, today) > MAX_AGE:
            errors["birth_date"] = _error(TOO_OLD, "too_old", birth_date)
    if experience_start is not None:
        if experience_start > today:
            errors["experience_start"] = _error(EXPERIENCE_IN_FUTURE, "experience_in_future", experience_start)
        elif experience_start < EARLIEST_EXPERIENCE:
            errors["experience_start"] = _error(EXPERIENCE_BEFORE_1930, "experience_too_early", experience_start)
        elif birth_date is not None and _full_years(birth_date, experience_start) < MIN_EXPERIENCE_AGE:
            errors["experience_start"] = _error(EXPERIENCE_BEFORE_16, "experience_before_16", experience_start)
    return errors


def employment_errors(
    *,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    category: str,
    category_assigned_on: datetime.date | None,
    today: datetime.date,
) -> dict[str, ValidationError]:
    """Dates of a place of work in order; a qualification category always has its date, not a future one."""
    errors: dict[str, ValidationError] = {}
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _error(EMPLOYMENT_END_BEFORE_START, "end_before_start")
    if category and category != "none":
        if category_assigned_on is None:
            errors["category_assigned_on"] = _error(CATEGORY_DATE_REQUIRED, "category_date_required")
        elif category_assigned_on > today:
            errors["category_assigned_on"] = _error(
                CATEGORY_DATE_IN_FUTURE, "category_date_in_future", category_assigned_on
            )
    return errors


def course_errors(
    *,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    hours: int | None,
    today: datetime.date,
) -> dict[str, ValidationError]:
    """A course lies between 1950 and a year from today, ends after it starts and lasts at most 2 000 hours."""
    errors: dict[str, ValidationError] = {}
    latest = today + datetime.timedelta(days=COURSE_MAX_DAYS_AHEAD)
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if day is not None and not (EARLIEST_COURSE <= day <= latest):
            errors[name] = _error(COURSE_DATE_OUT_OF_RANGE, "course_date_out_of_range", day)
    if "end_date" not in errors and start_date and end_date and end_date < start_date:
        errors["end_date"] = _error(COURSE_END_BEFORE_START, "end_before_start")
    if hours is not None and hours > COURSE_MAX_HOURS:
        errors["hours"] = ValidationError(
            COURSE_TOO_MANY_HOURS, code="too_many_hours", params={"limit": COURSE_MAX_HOURS}
        )
    return errors
