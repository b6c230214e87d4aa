"""The two ФИС ОКО layouts with one row per participant and one column per task.

- **Форма сбора результатов** (:func:`read_collection_form`) — one school fills it per class and subject:
  sheet «Протокол» (other sheets are ignored), one header row: «Код»/«Код участника», «Вариант» or
  «Вариант (часть 1)» and «Вариант (часть 2)» (in the middle of the tasks), tasks «1 (1б)» … «11.3 k1 (2б)»,
  «Класс №…»/«Порядковый номер класса» (an ordinal: 1, 2 … — the upload maps it to the school's classes),
  «Пол», «Отметка за предыдущий триместр/ четверть/полугодие», «Итого баллов» (often a formula; the reader
  compares it with the sum when the file keeps its value). Hundreds of prepared empty rows are skipped.
- **Индивидуальные результаты** (:func:`read_analytics_export`) — what a municipality downloads for all its
  schools: title rows (procedure, «Предмет:», «Максимальный первичный балл:», «Дата:»), the row «Уровень
  сложности задания» with Б/П over the tasks, the header «ОО | Муниципалитет | Название ОО | Код участника
  | Класс | Вариант | <tasks> | Первичный балл | Отметка | Отметка по журналу», and a group row per school
  «МБОУ «…»(edu203389) | Кол-во участников: 89».

A score is a number, «X»/«х» (not attempted: 0 points, counted) or nothing for an absent participant
(variant «отсутствовал»).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from metodist.imports.parsing import cell_text, normalise

from .. import messages
from ..choices import ResultFormat
from . import headers
from .base import (
    HEADER_SEARCH_ROWS,
    NOT_ATTEMPTED,
    ReadResult,
    SchoolInFile,
    SpecTask,
    StudentRow,
    class_grade,
    class_label,
    code_text,
    date_of,
    gender_of,
    is_absent,
    is_empty,
    level_of,
    mark_of,
    score_of,
    score_problem,
)
from .layout import Layout, column_name, count_kinds, find_header, read_layout, refuse_without_header, resolve_tasks
from .sheets import Sheet

PROTOCOL_SHEET = "протокол"
_LOGIN = re.compile(r"\((edu\d{3,})\)", re.IGNORECASE)
_COUNT = re.compile(r"(\d+)")


def collection_form_score(cells: list[Any]) -> int:
    kinds, tasks = count_kinds(cells)
    if headers.CODE not in kinds or not tasks:
        return 0
    return 2 + tasks + len(kinds & {headers.VARIANT, headers.CLASS, headers.TOTAL, headers.JOURNAL})


def analytics_export_score(cells: list[Any]) -> int:
    kinds, tasks = count_kinds(cells)
    if headers.CODE not in kinds or not tasks or not kinds & {headers.SCHOOL_LOGIN, headers.SCHOOL_NAME}:
        return 0
    return 3 + tasks + len(kinds & {headers.MUNICIPALITY, headers.CLASS, headers.MARK, headers.TOTAL})


def pick_collection_sheet(sheets: Sequence[Sheet]) -> Sheet:
    """The sheet «Протокол» when the book has one; otherwise the first sheet whose header fits."""
    for sheet in sheets:
        if normalise(sheet.name) == PROTOCOL_SHEET:
            return sheet
    for sheet in sheets:
        if find_header(sheet.head(HEADER_SEARCH_ROWS), collection_form_score, minimum=3) is not None:
            return sheet
    return sheets[0]


class _Rows:
    """Reads participant rows against a layout; shared by the two wide layouts."""

    def __init__(self, result: ReadResult, layout: Layout, maxima: list[int | None]) -> None:
        self.result = result
        self.layout = layout
        self.maxima = maxima
        self.task_columns = [index for index, _task in layout.tasks]
        self.task_names = [task.header or task.number for _index, task in layout.tasks]
        columns = layout.columns
        self.code = columns.get(headers.CODE)
        self.klass = columns.get(headers.CLASS)
        self.gender = columns.get(headers.GENDER)
        self.journal = columns.get(headers.JOURNAL)
        self.total = columns.get(headers.TOTAL)
        self.mark = columns.get(headers.MARK)
        self.codes: dict[tuple[str, str], list[int]] = {}
        self.code_only: list[int] = []
        self._marks: dict[Any, Any] = {}
        used = [*columns.values(), *layout.variants, *self.task_columns]
        self.width = max(used, default=0) + 1

    @staticmethod
    def cell(cells: list[Any], index: int | None) -> Any:
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def pad(self, cells: list[Any]) -> list[Any]:
        """The row with every column this layout reads (calamine's rows are full; CSV and openpyxl may be short)."""
        if len(cells) < self.width:
            return [*cells, *([""] * (self.width - len(cells)))]
        return cells

    def is_blank(self, cells: list[Any]) -> bool:
        """No code, no variant, no score: a prepared empty row (its «Итого» may hold a 0). ``cells`` are padded."""
        if self.code is not None and not is_empty(cells[self.code]):
            return False
        if any(not is_empty(cells[i]) for i in self.layout.variants):
            return False
        return all(is_empty(cells[i]) for i in self.task_columns)

    def _mark(self, value: Any) -> int | None:
        """:func:`mark_of`, cached by the cell's value (a region's file repeats the same few marks)."""
        try:
            found = self._marks[value]
        except KeyError:
            try:
                found = mark_of(value)
            except ValueError as exc:
                found = exc
            self._marks[value] = found
        except TypeError:  # an unhashable value: not a mark
            found = ValueError(value)
        if isinstance(found, ValueError):
            raise found
        mark: int | None = found
        return mark

    def student(self, cells: list[Any], line: int, school_key: str) -> StudentRow | None:
        """The participant of a (padded) row, with every problem of the row reported; ``None`` to skip it."""
        result = self.result
        raw_code = cells[self.code] if self.code is not None else None
        code = str(int(raw_code)) if type(raw_code) is float and raw_code.is_integer() else code_text(raw_code)
        parts = []
        absent = False
        for index in self.layout.variants:
            value = cells[index]
            if type(value) is float and value.is_integer():
                parts.append(str(int(value)))
            else:
                text = cell_text(value)
                parts.append(text)
                absent = absent or is_absent(text)
        task_cells = [cells[i] for i in self.task_columns]
        if not code:
            result.error(line, self.layout.title(headers.CODE), messages.CODE_REQUIRED)
            return None
        if not absent and not any(parts) and all(is_empty(v) for v in task_cells):
            self.code_only.append(line)
            return None
        self.codes.setdefault((school_key, code), []).append(line)
        student = StudentRow(line=line, code=code, variant="/".join(p for p in parts if p)[:32], absent=absent)
        if absent:
            if any(not is_empty(v) and score_of(v) != NOT_ATTEMPTED for v in task_cells):
                value = next(p for p in parts if is_absent(p))
                result.error(line, self.layout.title(headers.VARIANT), messages.SCORES_OF_ABSENT, value=value)
        else:
            scores = [score_of(value) for value in task_cells]
            student.scores = scores
            maxima = self.maxima
            for position, score in enumerate(scores):
                if score >= 0:
                    maximum = maxima[position]
                    if maximum is not None and score > maximum:
                        result.error(
                            line, self.task_names[position], messages.SCORE_ABOVE_MAX, value=score, max=maximum
                        )
                elif score != NOT_ATTEMPTED:
                    value = task_cells[position]
                    score_problem(result, line, self.task_names[position], value, score, maxima[position])
            if self.total is not None:
                stated = score_of(cells[self.total])
                if stated >= 0:
                    total = sum(s for s in scores if s > 0)
                    if stated != total:
                        student.stated_score = stated
                        column = self.layout.title(headers.TOTAL)
                        result.warn(
                            line, column, messages.STATED_SCORE_DIFFERS, line=line, code=code, column=column,
                            stated=stated, sum=total,
                        )  # fmt: skip
            if self.mark is not None:
                try:
                    student.stated_mark = self._mark(cells[self.mark])
                except ValueError:
                    title = self.layout.title(headers.MARK)
                    result.error(line, title, messages.BAD_MARK, value=cell_text(cells[self.mark]))
        if self.journal is not None:
            value = cells[self.journal]
            try:
                student.journal_mark = self._mark(value)
            except ValueError:
                title = self.layout.title(headers.JOURNAL)
                result.error(line, title, messages.BAD_JOURNAL_MARK, value=cell_text(value))
        if self.gender is not None:
            gender = gender_of(cells[self.gender])
            if gender is None:
                title = self.layout.title(headers.GENDER)
                result.warn(line, title, messages.BAD_GENDER, value=cell_text(cells[self.gender]))
            else:
                student.gender = gender
        return student

    def finish(self) -> None:
        for (_school, code), lines in self.codes.items():
            if len(lines) > 1:
                self.result.error(
                    lines[1],
                    self.layout.title(headers.CODE),
                    messages.DUPLICATE_CODE,
                    code=code,
                    lines=", ".join(str(n) for n in lines[:20]),
                )
        if self.code_only:
            shown = ", ".join(str(n) for n in self.code_only[:20])
            more = f" и ещё {len(self.code_only) - 20}" if len(self.code_only) > 20 else ""
            self.result.warn(None, self.layout.title(headers.CODE), messages.CODE_WITHOUT_RESULTS, lines=shown + more)


def read_collection_form(sheets: Sequence[Sheet], spec: Sequence[SpecTask]) -> ReadResult:
    sheet = pick_collection_sheet(sheets)
    result = ReadResult(file_format=ResultFormat.COLLECTION_FORM, sheet_name=sheet.name)
    for other in sheets:
        if other is not sheet:
            result.warn(None, "", messages.SHEET_IGNORED, sheet=other.name)
    rows = sheet.rows()
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    index = find_header(head, collection_form_score, minimum=3)
    if index is None:
        raise refuse_without_header(head, str(ResultFormat.COLLECTION_FORM.label), "«Код участника», «1 (1б)» …")
    layout = read_layout(head[index], index + 1, result)
    result.header_line = index + 1
    maxima = resolve_tasks(result, layout, spec)
    reader = _Rows(result, layout, maxima)
    for line, raw in enumerate(itertools.chain(head[index + 1 :], rows), start=index + 2):
        cells = reader.pad(raw)
        if reader.is_blank(cells):
            continue
        ordinal = 1
        if layout.has(headers.CLASS):
            raw = reader.cell(cells, layout.columns[headers.CLASS])
            if is_empty(raw):
                result.error(line, layout.title(headers.CLASS), messages.CLASS_ORDINAL_REQUIRED)
                continue
            value = score_of(raw)
            if value < 1:
                result.error(line, layout.title(headers.CLASS), messages.BAD_CLASS_ORDINAL, value=cell_text(raw))
                continue
            ordinal = value
        student = reader.student(cells, line, "")
        if student is not None:
            result.block("", str(ordinal), ordinal).students.append(student)
    reader.finish()
    if not result.classes and not result.errors:
        result.error(None, "", messages.NO_DATA_ROWS)
    return result


def _title_rows(result: ReadResult, head: Sequence[list[Any]]) -> list[Any] | None:
    """Procedure, subject, grade, maximum and date from the rows above the header; the levels row."""
    levels = None
    for cells in head:
        texts = [cell_text(c) for c in cells]
        filled = [(i, t) for i, t in enumerate(texts) if t]
        if not filled:
            continue
        first = normalise(filled[0][1])
        rest = [t for _i, t in filled[1:]]
        inline = filled[0][1].split(":", 1)[1].strip() if ":" in filled[0][1] else ""
        value = rest[0] if rest else inline
        if first.startswith("уровень сложности"):
            levels = cells
        elif first.startswith("максимальный первичный балл"):
            number = score_of(value)
            if number >= 0:
                result.title["max_total"] = number
        elif first.startswith("предмет"):
            result.title["subject"] = value
        elif first.startswith("дата"):
            result.title["date"] = date_of(value)
        elif (match := re.search(r"(\d{1,2})\s*класс", filled[0][1], re.IGNORECASE)) and "title" not in result.title:
            result.title["title"] = filled[0][1]
            result.title["grade"] = int(match.group(1))
    return levels


def read_analytics_export(sheets: Sequence[Sheet], spec: Sequence[SpecTask]) -> ReadResult:
    sheet = next(
        (s for s in sheets if find_header(s.head(HEADER_SEARCH_ROWS), analytics_export_score, 4) is not None),
        sheets[0],
    )
    result = ReadResult(file_format=ResultFormat.ANALYTICS_EXPORT, sheet_name=sheet.name)
    rows = sheet.rows()
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    index = find_header(head, analytics_export_score, minimum=4)
    if index is None:
        raise refuse_without_header(
            head, str(ResultFormat.ANALYTICS_EXPORT.label), "«ОО», «Название ОО», «Код участника», «1 (1б)» …"
        )
    levels = _title_rows(result, head[:index])
    layout = read_layout(head[index], index + 1, result)
    result.header_line = index + 1
    if levels is not None:
        for position, task in layout.tasks:
            if position < len(levels):
                task.level = level_of(levels[position])
    maxima = resolve_tasks(result, layout, spec)
    reader = _Rows(result, layout, maxima)
    login_column = layout.columns.get(headers.SCHOOL_LOGIN)
    name_column = layout.columns.get(headers.SCHOOL_NAME)
    class_column = layout.columns.get(headers.CLASS)
    group: SchoolInFile | None = None
    labels: dict[Any, str] = {}
    for line, raw in enumerate(itertools.chain(head[index + 1 :], rows), start=index + 2):
        cells = reader.pad(raw)
        if reader.is_blank(cells):
            group = _group_row(result, cells) or group
            continue
        login = cells[login_column] if login_column is not None else ""
        login = login.strip() if type(login) is str else cell_text(login)
        name = cells[name_column] if name_column is not None else ""
        name = " ".join(name.split()) if type(name) is str else cell_text(name)
        if not login and not name and group is not None:
            login, name = group.login, group.name
        key = login.lower() if login else normalise(name)
        if not key:
            result.error(line, column_name(layout, name_column or login_column or 0), messages.SCHOOL_REQUIRED)
            continue
        school = result.schools.get(key)
        if school is None:
            school = result.schools[key] = SchoolInFile(key=key, name=name, login=login)
            if group is not None and (group.login.lower() == key or normalise(group.name) == key):
                school.stated_count = group.stated_count
                school.name = school.name or group.name
        raw_label = cells[class_column] if class_column is not None else ""
        label = labels.get(raw_label)
        if label is None:
            label = labels[raw_label] = class_label(raw_label)
        if not label:
            result.error(line, layout.title(headers.CLASS), messages.CLASS_REQUIRED)
            continue
        student = reader.student(cells, line, key)
        if student is None:
            continue
        school.rows += 1
        result.block(key, label).students.append(student)
    reader.finish()
    for school in result.schools.values():
        if school.stated_count is not None and school.stated_count != school.rows:
            result.warn(
                None,
                "",
                messages.SCHOOL_COUNT_DIFFERS,
                school=school.name or school.login,
                stated=school.stated_count,
                rows=school.rows,
            )
    if not result.classes and not result.errors:
        result.error(None, "", messages.NO_DATA_ROWS)
    grades = {class_grade(block.class_key) for block in result.classes.values()} - {None}
    if "grade" not in result.title and len(grades) == 1:
        result.title["grade"] = grades.pop()
    return result


def _group_row(result: ReadResult, cells: list[Any]) -> SchoolInFile | None:
    """«МБОУ «…»(edu203389) | Кол-во участников: 89» → the school the next rows belong to."""
    texts = [cell_text(c) for c in cells if cell_text(c)]
    if not texts:
        return None
    login_match = _LOGIN.search(texts[0])
    counted = next((t for t in texts[1:] if normalise(t).startswith("кол во участников")), None)
    if login_match is None and counted is None:
        return None
    name = _LOGIN.sub("", texts[0]).strip() if login_match else texts[0]
    count_match = _COUNT.search(counted or "")
    return SchoolInFile(
        key=(login_match.group(1).lower() if login_match else normalise(name)),
        name=name,
        login=login_match.group(1) if login_match else "",
        stated_count=int(count_match.group(1)) if count_match else None,
    )
