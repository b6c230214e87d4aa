"""The plain long format, Metodist's own template: one row per participant and task.

Columns: «Школа» (its ФИС ОКО login «edu203389», or its name; may be left out when the upload names the
school), «Класс» («6А»), «Код участника», «Задание» (as in the specification: «1», «5.1», «4К1»), «Балл»
(a number, «X» — not attempted); optional «Вариант», «Пол», «Отметка по журналу». An absent participant is
one row with «отсутствовал» in «Балл» (or in «Вариант») and no task. The tasks come from the procedure's
specification: every participant needs a score for each of them.

The format suits any source that can write a table — a regional system, a school's own spreadsheet — and a
region's million rows (CSV reads fastest).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from metodist.imports.parsing import cell_text, normalise

from .. import messages
from ..choices import ResultFormat
from . import headers
from .base import (
    BAD_TEXT,
    HEADER_SEARCH_ROWS,
    NOT_ATTEMPTED,
    FileTask,
    ReadResult,
    SchoolInFile,
    SpecTask,
    StudentRow,
    class_label,
    code_text,
    gender_of,
    is_absent,
    mark_of,
    score_of,
    score_problem,
    task_key,
)
from .layout import count_kinds, find_header, read_layout, refuse_without_header
from .sheets import Sheet

_MISSING = -9  # no row for this task yet


def long_score(cells: list[Any]) -> int:
    kinds, _tasks = count_kinds(cells)
    if not {headers.CODE, headers.TASK, headers.SCORE} <= kinds:
        return 0
    return 3 + len(kinds & {headers.CLASS, headers.SCHOOL_LOGIN, headers.SCHOOL_NAME})


def _raw_task_key(value: Any) -> str:
    if isinstance(value, float):
        return task_key(str(int(value)) if value.is_integer() else repr(value))
    return task_key(cell_text(value))


def read_long(sheets: Sequence[Sheet], spec: Sequence[SpecTask]) -> ReadResult:
    sheet = next((s for s in sheets if find_header(s.head(HEADER_SEARCH_ROWS), long_score, 3) is not None), sheets[0])
    result = ReadResult(file_format=ResultFormat.LONG, sheet_name=sheet.name, tasks_from_spec=True)
    rows = sheet.rows()
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    index = find_header(head, long_score, minimum=3)
    if index is None:
        raise refuse_without_header(head, str(ResultFormat.LONG.label), "«Класс», «Код участника», «Задание», «Балл»")
    layout = read_layout(head[index], index + 1, result, with_tasks=False)
    result.header_line = index + 1
    if not spec:
        result.error(None, "", messages.LONG_NEEDS_SPEC)
        return result
    result.tasks = [FileTask(number=t.number, key=t.key, max_score=t.max_score, level=t.level) for t in spec]
    columns = layout.columns
    width = max(columns.values(), default=0) + 1
    school_at = columns.get(headers.SCHOOL_LOGIN, columns.get(headers.SCHOOL_NAME))
    class_at = columns.get(headers.CLASS)
    code_at = columns[headers.CODE]
    task_at = columns[headers.TASK]
    score_at = columns[headers.SCORE]
    variant_at = layout.variants[0] if layout.variants else None
    journal_at = columns.get(headers.JOURNAL)
    gender_at = columns.get(headers.GENDER)
    score_title, task_title = layout.title(headers.SCORE), layout.title(headers.TASK)
    code_title, class_title = layout.title(headers.CODE), layout.title(headers.CLASS)
    positions = {task.key: i for i, task in enumerate(spec)}
    maxima = [task.max_score for task in spec]
    count = len(spec)
    # Conversions cached by the raw cell value: a million rows repeat a few thousand values.
    task_cache: dict[Any, int] = {}
    school_cache: dict[Any, str] = {}
    class_cache: dict[Any, str] = {}
    students: dict[tuple[str, str, str], StudentRow] = {}
    code_cache: dict[Any, str] = {}
    text_cache: dict[Any, str] = {}
    mark_cache: dict[Any, int | None | ValueError] = {}
    for line, cells in enumerate(itertools.chain(head[index + 1 :], rows), start=index + 2):
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        raw_code = cells[code_at]
        raw_score = cells[score_at]
        raw_task = cells[task_at]
        if raw_code == "" and raw_score == "" and raw_task == "":
            continue
        code = code_cache.get(raw_code)
        if code is None:
            code = code_cache[raw_code] = code_text(raw_code)
        if not code:
            result.error(line, code_title, messages.CODE_REQUIRED)
            continue
        raw_school = cells[school_at] if school_at is not None else ""
        school = school_cache.get(raw_school)
        if school is None:
            text = cell_text(raw_school)
            school = school_cache[raw_school] = text.lower() if text.lower().startswith("edu") else normalise(text)
            if school and school not in result.schools:
                login = text if text.lower().startswith("edu") else ""
                result.schools[school] = SchoolInFile(key=school, name="" if login else text, login=login)
        raw_class = cells[class_at] if class_at is not None else ""
        label = class_cache.get(raw_class)
        if label is None:
            label = class_cache[raw_class] = class_label(raw_class)
        if not label and class_at is not None:
            result.error(line, class_title, messages.CLASS_REQUIRED)
            continue
        key = (school, label, code)
        student = students.get(key)
        if student is None:
            student = students[key] = StudentRow(line=line, code=code, scores=[_MISSING] * count)
            result.block(school, label).students.append(student)
            if school in result.schools:
                result.schools[school].rows += 1
        raw_variant = cells[variant_at] if variant_at is not None else ""
        variant = text_cache.get(raw_variant)
        if variant is None:
            variant = text_cache[raw_variant] = cell_text(raw_variant)
        if variant and variant != student.variant:
            if is_absent(variant):
                student.absent = True
            elif student.variant and student.variant != variant:
                result.error(
                    line,
                    layout.title(headers.VARIANT),
                    messages.CONFLICTING_VALUES,
                    code=code,
                    lines=f"{student.line}, {line}",
                    column=layout.title(headers.VARIANT),
                )
            else:
                student.variant = variant[:32]
        if journal_at is not None and cells[journal_at] != "":
            raw_mark = cells[journal_at]
            mark = mark_cache.get(raw_mark, 0)
            if mark == 0:
                try:
                    mark = mark_of(raw_mark)
                except ValueError as exc:
                    mark = exc
                mark_cache[raw_mark] = mark
            try:
                if isinstance(mark, ValueError):
                    raise mark
                student.journal_mark = mark
            except ValueError:
                result.error(
                    line, layout.title(headers.JOURNAL), messages.BAD_JOURNAL_MARK, value=cell_text(cells[journal_at])
                )
        if gender_at is not None and cells[gender_at] != "":
            student.gender = gender_of(cells[gender_at]) or ""
        score = score_of(raw_score)
        if score == BAD_TEXT and is_absent(raw_score):
            student.absent = True
            continue
        if raw_task == "" and student.absent:
            continue
        position = task_cache.get(raw_task)
        if position is None:
            position = task_cache[raw_task] = positions.get(_raw_task_key(raw_task), -1)
        if position < 0:
            result.error(line, task_title, messages.LONG_UNKNOWN_TASK, task=cell_text(raw_task))
            continue
        if score >= 0:
            if score > maxima[position]:
                result.error(line, score_title, messages.SCORE_ABOVE_MAX, value=score, max=maxima[position])
        elif score != NOT_ATTEMPTED:
            score_problem(result, line, score_title, raw_score, score, maxima[position])
            score = 0  # reported; the task is not «missing» as well
        if student.scores[position] != _MISSING:
            result.error(
                line,
                task_title,
                messages.LONG_DUPLICATE_TASK,
                code=code,
                task=spec[position].number,
                lines=f"{student.line}, {line}",
            )
            continue
        student.scores[position] = score
    for student in students.values():
        if student.absent:
            if any(s >= 0 for s in student.scores):
                result.error(student.line, score_title, messages.SCORES_OF_ABSENT, value="отсутствовал")
            student.scores = []
            continue
        missing = [spec[i].number for i, s in enumerate(student.scores) if s == _MISSING]
        if missing:
            result.error(
                student.line,
                code_title,
                messages.LONG_MISSING_TASKS,
                code=student.code,
                tasks=", ".join(f"«{n}»" for n in missing[:20]),
            )
    if not result.classes and not result.errors:
        result.error(None, "", messages.NO_DATA_ROWS)
    return result


TEMPLATE_HEADER = ("Школа", "Класс", "Код участника", "Задание", "Балл", "Вариант", "Отметка по журналу")
TEMPLATE_NOTES = (
    "Одна строка — один балл одного участника за одно задание.",
    "«Школа» — логин ФИС ОКО (например, edu203389) или наименование школы; можно не заполнять, если при "
    "загрузке выбрана школа.",
    "«Класс» — как в школе: 6А, 6Б. «Код участника» — код из ФИС ОКО или школьный код; ФИО не указываются.",
    "«Задание» — номер, как в спецификации процедуры: 1, 5.2, 4К1. «Балл» — целое число от 0 до максимума "
    "задания или X, если участник не приступал к заданию.",
    "Отсутствовавший участник — одна строка с «отсутствовал» в столбце «Балл» и пустым «Задание».",
    "«Вариант» и «Отметка по журналу» (2–5 или «нет отметки») — по желанию, в любой строке участника.",
    "Можно сохранить файл как CSV (UTF-8, разделитель «;») — так быстрее для больших файлов.",
)


def long_template() -> bytes:
    """The XLSX template of the long format: the header, example rows and «Инструкция»."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Результаты"
    sheet.append(list(TEMPLATE_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in (
        ("edu203389", "6А", "61001", "1", 1, "1", 4),
        ("edu203389", "6А", "61001", "2", "X", "1", 4),
        ("edu203389", "6А", "61002", "", "отсутствовал", "", ""),
    ):
        sheet.append(list(row))
    for letter, width in zip("ABCDEFG", (22, 8, 16, 10, 14, 10, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("Инструкция")
    notes.column_dimensions["A"].width = 120
    notes["A1"] = "Результаты по заданиям (простой формат) — как заполнить"
    notes["A1"].font = Font(bold=True, size=14)
    for index, text in enumerate(TEMPLATE_NOTES, start=3):
        notes.cell(row=index, column=1, value=f"• {text}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
