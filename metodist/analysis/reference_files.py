"""Readers of the ФИС ОКО statistics exports: «Выполнение заданий» and «Статистика по отметкам».

Both are a few title rows, then a header row starting with «Группы участников», then one row per
group: «Вся выборка» (Russia), the region, its municipalities (and, in a municipality's export, its
schools, which are not reference figures and are skipped). Values are percentages («77,5», 77.5,
«77,5 %»).

* «Выполнение заданий»: «Группы участников | Кол-во участников | 1 | 2 | … | 6.1 | …» — one column per
  task, headed by its number as printed (optionally with the maximum, «4 (2б)»); a row «Макс балл»
  under the header is allowed.
* «Статистика по отметкам»: «Группы участников | Кол-во ОО | Кол-во участников | 2 | 3 | 4 | 5».

Every problem is reported with its line and column, in Russian; nothing is written unless the whole
file is right (:func:`metodist.analysis.services.reference_file_load`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

NOT_A_SPREADSHEET = _("Файл не читается как таблица Excel (XLSX, XLS или ODS).")
NO_HEADER = _("Не найдена строка заголовка «Группы участников»: это не выгрузка статистики ФИС ОКО.")
UNKNOWN_LAYOUT = _(
    "Не понятно, что в файле: ожидаются столбцы заданий («Выполнение заданий») или отметок 2, 3, 4, 5 "
    "(«Статистика по отметкам»)."
)
UNKNOWN_TASK = _("Задания «%(number)s» нет в спецификации процедуры.")
MISSING_TASKS = _("В файле нет заданий процедуры: %(numbers)s.")
DUPLICATE_TASK = _("Задание «%(number)s» встречается в заголовке дважды.")
BAD_PERCENT = _("«%(value)s» — не процент (ожидается число от 0 до 100).")
BAD_COUNT = _("«%(value)s» — не количество (ожидается целое неотрицательное число).")
MARKS_SUM = _("Доли отметок в сумме дают %(sum)s %%, а должны 100 %%.")
DUPLICATE_GROUP = _("Группа «%(name)s» уже была в строке %(line)s.")
NO_GROUPS = _("В файле нет ни строки «Вся выборка», ни строки региона «%(region)s».")
EMPTY_FILE = _("В файле нет строк с данными под заголовком.")

RUSSIA_LABELS = {"вся выборка", "россия", "рф", "российская федерация"}
HEADER_START = re.compile(r"^групп", re.IGNORECASE)
_TASK_HEADER = re.compile(r"^\s*(?P<number>.+?)\s*(\(\s*\d+\s*б\.?\s*\))?\s*$", re.IGNORECASE)
_LATIN = str.maketrans("кКхХ", "kKxX")


def task_key(number: str) -> str:
    """A comparable task number: «4К1» == «4k1», «11.3 k1» == «11.3k1», «6,1» == «6.1»."""
    return "".join(str(number).split()).replace(",", ".").translate(_LATIN).lower()


def group_key(name: str) -> str:
    return " ".join(str(name).replace("ё", "е").replace("Ё", "Е").split()).casefold()


@dataclass(frozen=True)
class Problem:
    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"строка {self.line}" + (f", столбец {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class GroupRow:
    line: int
    name: str
    participants: int | None = None
    organisations: int | None = None
    rates: dict[str, Decimal] = field(default_factory=dict)  # task key → percent
    marks: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class StatisticsFile:
    kind: str  # "tasks" or "marks"
    groups: list[GroupRow]
    problems: list[Problem]


def read_rows(handle: IO[bytes]) -> list[list[Any]]:
    """The first sheet as a list of rows (python-calamine); ``ValueError`` for a file that is not a table."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        sheet = workbook.get_sheet_by_index(0)
        return [list(row) for row in sheet.to_python(skip_empty_area=False)]
    except Exception as error:  # calamine raises its own error types for every unreadable file
        raise ValueError(str(NOT_A_SPREADSHEET)) from error


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _percent(value: Any) -> Decimal | None:
    text = _text(value).replace("%", "").replace(",", ".").replace("\xa0", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if number < 0 or number > 100:
        raise ValueError
    return number.quantize(Decimal("0.01"))


def _count(value: Any) -> int | None:
    text = _text(value).replace("\xa0", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError
    return int(text)


def parse(rows: Sequence[Sequence[Any]], task_numbers: Sequence[str]) -> StatisticsFile:
    """Read a statistics export; ``task_numbers`` are the procedure's tasks as printed."""
    problems: list[Problem] = []
    header_index = next(
        (i for i, row in enumerate(rows) if row and HEADER_START.match(_text(next((c for c in row if _text(c)), "")))),
        None,
    )
    if header_index is None:
        return StatisticsFile("", [], [Problem(1, None, str(NO_HEADER))])
    header = [_text(c) for c in rows[header_index]]
    lowered = [h.casefold() for h in header]
    participants_col = next((i for i, h in enumerate(lowered) if "участник" in h and "кол" in h), None)
    organisations_col = next((i for i, h in enumerate(lowered) if h.startswith("кол") and "оо" in h.split()), None)
    mark_cols = {int(h): i for i, h in enumerate(header) if h in {"2", "3", "4", "5"}}
    known = {task_key(n): n for n in task_numbers}
    first_value_col = max(c for c in (0, participants_col, organisations_col) if c is not None) + 1
    task_cols: dict[str, int] = {}
    is_marks = organisations_col is not None and len(mark_cols) == 4
    if not is_marks:
        for index in range(first_value_col, len(header)):
            title = header[index]
            if not title:
                continue
            match = _TASK_HEADER.match(title)
            key = task_key(match.group("number") if match else title)
            if key not in known:
                problems.append(Problem(header_index + 1, index + 1, str(UNKNOWN_TASK) % {"number": title}))
            elif key in task_cols:
                problems.append(Problem(header_index + 1, index + 1, str(DUPLICATE_TASK) % {"number": title}))
            else:
                task_cols[key] = index
        if not task_cols and not problems:
            return StatisticsFile("", [], [Problem(header_index + 1, None, str(UNKNOWN_LAYOUT))])
        missing = [known[k] for k in known if k not in task_cols]
        if missing and task_cols:
            problems.append(Problem(header_index + 1, None, str(MISSING_TASKS) % {"numbers": ", ".join(missing)}))
    groups: list[GroupRow] = []
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        row = list(rows[index]) + [None] * (len(header) - len(rows[index]))
        line = index + 1
        name = _text(row[0])
        if not name or name.casefold().startswith("макс"):
            continue
        if group_key(name) in seen:
            problems.append(Problem(line, 1, str(DUPLICATE_GROUP) % {"name": name, "line": seen[group_key(name)]}))
            continue
        seen[group_key(name)] = line
        group = GroupRow(line=line, name=name)
        for col, attr in ((participants_col, "participants"), (organisations_col, "organisations")):
            if col is None:
                continue
            try:
                setattr(group, attr, _count(row[col]))
            except ValueError:
                problems.append(Problem(line, col + 1, str(BAD_COUNT) % {"value": _text(row[col])}))
        columns: dict[Any, int] = dict(mark_cols) if is_marks else dict(task_cols)
        for key, col in columns.items():
            try:
                value = _percent(row[col])
            except ValueError:
                problems.append(Problem(line, col + 1, str(BAD_PERCENT) % {"value": _text(row[col])}))
                continue
            if value is None:
                continue
            if is_marks:
                group.marks[int(key)] = value
            else:
                group.rates[str(key)] = value
        if is_marks and len(group.marks) == 4:
            total = sum(group.marks.values(), Decimal(0))
            if abs(total - 100) > Decimal("1.5"):
                problems.append(Problem(line, None, str(MARKS_SUM) % {"sum": f"{total:.1f}".replace(".", ",")}))
        groups.append(group)
    if not groups and not problems:
        problems.append(Problem(header_index + 2, None, str(EMPTY_FILE)))
    return StatisticsFile("marks" if is_marks else "tasks", groups, problems)
