"""The task specification of a procedure as a spreadsheet: reading one, and the downloadable template.

A specification («спецификация», «кодификатор» of a ВПР or ОГЭ) lists each task as printed, its maximum, level,
the checked element and planned result with their codifier codes, the literacy type and the teacher
competences it maps to. Columns are recognised by meaning through the imports' own reader
(:func:`metodist.imports.parsing.read_table`), so a methodologist's own table works as well as the template.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from metodist.imports.limits import STAFF_LIMITS
from metodist.imports.parsing import ColumnSpec, FileError, cell_text, normalise, read_table

from . import messages
from .choices import LiteracyType, TaskLevel
from .readers.base import level_of

COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "number",
        "Номер задания",
        ("задание", "№ задания", "номер", "№", "n"),
        "Как напечатано: 1, 5.2, 4К1, 11.3 k1",
        "1",
        True,
    ),
    ColumnSpec(
        "max_score",
        "Максимальный балл",
        ("макс балл", "максимум", "максимальный первичный балл", "балл", "баллы"),
        "Целое число от 1",
        1,
        True,
    ),
    ColumnSpec(
        "level",
        "Уровень",
        ("уровень сложности", "уровень сложности задания"),
        "базовый, повышенный или высокий (Б, П, В)",
        "базовый",
    ),
    ColumnSpec(
        "checked_element",
        "Проверяемый элемент содержания / умение",
        (
            "проверяемый элемент",
            "проверяемые элементы",
            "проверяемые элементы содержания",
            "проверяемое умение",
            "проверяемые умения",
            "умение",
            "элемент содержания",
        ),
        "Что проверяет задание",
        "Развитие представлений о числе и числовых системах от натуральных до действительных чисел",
    ),
    ColumnSpec(
        "planned_result",
        "Планируемый результат",
        ("планируемые результаты", "требования", "проверяемые требования"),
        "Планируемый результат обучения по ФГОС / ФОП",
        "Оперировать понятием «натуральное число»",
    ),
    ColumnSpec(
        "codifier_codes",
        "Коды кодификатора",
        ("код кэс", "коды кэс", "кэс", "код пр", "коды пр", "кодификатор", "коды"),
        "Через запятую",
        "1.1, 1.2",
    ),
    ColumnSpec(
        "literacy_type",
        "Вид грамотности",
        ("грамотность", "вид функциональной грамотности"),
        "Для диагностики функциональной грамотности",
        "",
    ),
    ColumnSpec(
        "competence_codes",
        "Компетенции педагога",
        ("коды компетенций", "компетенции", "трудовые функции", "трудовые действия"),
        "Коды профстандарта «Педагог» или индикаторов, через запятую",
        "A/01.6",
    ),
)


@dataclass
class SpecRow:
    line: int
    number: str
    max_score: int
    level: str = TaskLevel.BASIC
    checked_element: str = ""
    planned_result: str = ""
    codifier_codes: str = ""
    literacy_type: str = ""
    competence_codes: str = ""

    def fields(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "max_score": self.max_score,
            "level": self.level,
            "checked_element": self.checked_element,
            "planned_result": self.planned_result,
            "codifier_codes": self.codifier_codes,
            "literacy_type": self.literacy_type,
            "competence_codes": self.competence_codes,
        }


@dataclass
class SpecReading:
    rows: list[SpecRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # line, column, message

    def error(self, line: int | None, column: str, message: str) -> None:
        self.errors.append({"line": line, "column": column, "message": message})


_LITERACY = {normalise(label): value for value, label in LiteracyType.choices}


def literacy_of(value: str) -> str | None:
    key = normalise(value)
    if not key:
        return ""
    for label, literacy in _LITERACY.items():
        if key == label or key.startswith(label.split()[0][:6]):
            return literacy
    return None


def read_specification(content: bytes, filename: str) -> SpecReading:
    """Read a specification; every problem is listed with its line and column, in Russian."""
    reading = SpecReading()
    try:
        table = read_table(content=content, filename=filename, columns=COLUMNS, limits=STAFF_LIMITS)
    except FileError as exc:
        for text in exc.messages:
            reading.error(None, "", text)
        return reading
    titles = {key: title for title, key in table.recognised}
    missing = [c.title for c in COLUMNS if c.required and not table.has(c.key)]
    if missing:
        reading.error(
            table.header_line,
            "",
            str(messages.SPEC_MISSING_COLUMNS % {"columns": ", ".join(f"«{m}»" for m in missing)}),
        )
        return reading
    lines: dict[str, list[int]] = defaultdict(list)
    for row in table.rows:
        number = " ".join(row.text("number").split())
        if not number:
            reading.error(row.line, titles["number"], str(messages.SPEC_TASK_REQUIRED))
            continue
        lines[number.lower().replace(" ", "").replace("k", "к")].append(row.line)
        raw_max = row.get("max_score")
        max_score = 0
        try:
            max_score = int(float(str(raw_max).replace(",", ".")))
            if not 1 <= max_score <= 100 or float(str(raw_max).replace(",", ".")) != max_score:
                raise ValueError(raw_max)
        except (TypeError, ValueError):
            reading.error(row.line, titles["max_score"], str(messages.SPEC_BAD_MAX % {"value": cell_text(raw_max)}))
        level = TaskLevel.BASIC.value
        if table.has("level") and row.text("level"):
            level = level_of(row.text("level"))
            if not level:
                reading.error(row.line, titles["level"], str(messages.SPEC_BAD_LEVEL % {"value": row.text("level")}))
        literacy = literacy_of(row.text("literacy_type")) if table.has("literacy_type") else ""
        if literacy is None:
            allowed = ", ".join(str(label) for _v, label in LiteracyType.choices)
            reading.error(
                row.line,
                titles["literacy_type"],
                str(messages.SPEC_BAD_LITERACY % {"value": row.text("literacy_type"), "allowed": allowed}),
            )
            literacy = ""
        reading.rows.append(
            SpecRow(
                line=row.line,
                number=number[:32],
                max_score=max_score,
                level=level,
                checked_element=row.text("checked_element"),
                planned_result=row.text("planned_result"),
                codifier_codes=row.text("codifier_codes")[:200],
                literacy_type=literacy,
                competence_codes=row.text("competence_codes")[:500],
            )
        )
    for number, where in lines.items():
        if len(where) > 1:
            reading.error(
                where[1],
                titles["number"],
                str(messages.SPEC_DUPLICATE_TASK % {"task": number, "lines": ", ".join(map(str, where))}),
            )
    if not reading.rows and not reading.errors:
        reading.error(None, "", str(messages.SPEC_NO_ROWS))
    return reading


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)


def specification_template(rows: list[dict[str, Any]] | None = None) -> bytes:
    """The XLSX template: the header, an example row (or the procedure's own tasks) and «Инструкция»."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Спецификация"
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = (
            48 if column.key in ("checked_element", "planned_result") else 18
        )
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    examples = rows or [{c.key: c.example for c in COLUMNS}]
    levels = {value: str(label) for value, label in TaskLevel.choices}
    literacies = {value: str(label) for value, label in LiteracyType.choices}
    for line, values in enumerate(examples, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = values.get(column.key, "")
            if column.key == "level":
                value = levels.get(value, value)
            elif column.key == "literacy_type":
                value = literacies.get(value, value)
            cell = sheet.cell(row=line, column=index, value=value if value != "" else None)
            if column.key == "number":
                cell.number_format = "@"
    notes = book.create_sheet("Инструкция")
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 90
    notes["A1"] = "Спецификация заданий оценочной процедуры — как заполнить"
    notes["A1"].font = Font(bold=True, size=14)
    lines = [
        "Одна строка — одно задание, в том порядке, в котором задания идут в работе.",
        "Номер задания пишите так, как он напечатан в работе и в форме сбора результатов: 1, 5.2, 4К1, 11.3 k1.",
        "Названия столбцов можно менять в разумных пределах, порядок столбцов не важен.",
        "Повторная загрузка обновляет задания с теми же номерами; задания, которых нет в файле, удаляются "
        "(если по ним ещё нет результатов).",
    ]
    for row, text in enumerate(lines, start=3):
        notes.cell(row=row, column=1, value=f"• {text}")
    row = len(lines) + 4
    for column in COLUMNS:
        notes.cell(row=row, column=1, value=column.title).font = _BOLD
        notes.cell(row=row, column=2, value=str(column.help))
        row += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
