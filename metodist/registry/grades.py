"""Grades (параллели) as people write them: «5-9, 11», «5А, 6Б», «1–4 кл.» — one reading for forms and imports."""

from __future__ import annotations

import datetime
import re
from typing import Any

from metodist.core.text import clean_text

_RANGE_DASH = re.compile(r"\s*[-–—]\s*")
_GRADE_WORDS = re.compile(r"\b(классы|класс|кл)\b\.?", re.IGNORECASE)
_GRADE_RANGE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_GRADE_ONE = re.compile(r"^(\d{1,2})[а-яa-z]?$", re.IGNORECASE)


def parse_grades(value: Any) -> list[int] | None:
    """«5-9, 11» → [5, 6, 7, 8, 9, 11]; «5А, 6Б» → [5, 6]; ``None`` when empty. Raises ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, bool | datetime.date | datetime.time):
        raise ValueError(value)  # «5-9» typed into Excel often turns into a date
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= value <= 11:
            return [int(value)]
        raise ValueError(value)
    text = _GRADE_WORDS.sub(" ", " ".join(clean_text(str(value)).replace("\xa0", " ").split()))
    text = _RANGE_DASH.sub("-", text).strip(" ,;")
    if not text:
        return None
    grades: set[int] = set()
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        if match := _GRADE_RANGE.match(token):
            low, high = int(match.group(1)), int(match.group(2))
            if low > high:
                raise ValueError(value)
            grades.update(range(low, high + 1))
        elif match := _GRADE_ONE.match(token):
            grades.add(int(match.group(1)))
        else:
            raise ValueError(value)
    if not grades or min(grades) < 1 or max(grades) > 11:
        raise ValueError(value)
    return sorted(grades)
