"""Regional ОГЭ / ЕГЭ protocols (протоколы РЦОИ): short answers as a mask, long answers as «балл(максимум)».

A row per participant: the school («Код ОО», «ОО» or its name), «Класс», a code («Код участника», «Номер
бланка» …), «Вариант», «Задания с кратким ответом» written as a mask — «+» the task's maximum, «-» no
points, a digit the points, «X» not attempted — and «Задания с развёрнутым ответом» as «2(3)1(2)0(2)»: the
points and, in brackets, the maximum, task after task. The protocol names no tasks: the mask and the long
answers follow the procedure's specification in its order.

Protocols carry the participants' names (and sometimes documents): those columns are removed as the file is
received (:mod:`.names`), so they never reach this reader.
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
    X_MARKS,
    FileTask,
    ReadResult,
    SchoolInFile,
    SpecTask,
    StudentRow,
    class_label,
    code_text,
    gender_of,
    is_absent,
    is_empty,
    mark_of,
    score_of,
)
from .layout import count_kinds, find_header, read_layout, refuse_without_header
from .sheets import Sheet

_LONG = re.compile(r"\s*([0-9]+|[XxХх])\s*\(\s*([0-9]+)\s*\)\s*[;,]?")


def protocol_score(cells: list[Any]) -> int:
    kinds, _tasks = count_kinds(cells)
    if headers.SHORT_ANSWERS not in kinds and headers.LONG_ANSWERS not in kinds:
        return 0
    return 3 + len(kinds & {headers.CODE, headers.CLASS, headers.SCHOOL_LOGIN, headers.SCHOOL_NAME, headers.TOTAL})


def parse_mask(text: str, tasks: Sequence[SpecTask]) -> list[int] | str:
    """«+-+1-X» → scores of the first tasks; the offending character (str) when one is not understood."""
    scores: list[int] = []
    for char in text:
        if char in " \t":
            continue
        position = len(scores)
        if char == "+":
            scores.append(tasks[position].max_score if position < len(tasks) else 1)
        elif char in "-−–":
            scores.append(0)
        elif char.isdigit():
            scores.append(int(char))
        elif char in X_MARKS:
            scores.append(NOT_ATTEMPTED)
        else:
            return char
    return scores


def parse_long(text: str) -> list[tuple[int, int]] | None:
    """«2(3)1(2)X(2)» → [(2, 3), (1, 2), (NOT_ATTEMPTED, 2)]; ``None`` when it is written otherwise."""
    pairs: list[tuple[int, int]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _LONG.match(text, position)
        if not match:
            return None
        points = NOT_ATTEMPTED if match.group(1) in X_MARKS else int(match.group(1))
        pairs.append((points, int(match.group(2))))
        position = match.end()
    return pairs


def read_protocol(sheets: Sequence[Sheet], spec: Sequence[SpecTask]) -> ReadResult:
    sheet = next(
        (s for s in sheets if find_header(s.head(HEADER_SEARCH_ROWS), protocol_score, 3) is not None), sheets[0]
    )
    result = ReadResult(file_format=ResultFormat.PROTOCOL, sheet_name=sheet.name, tasks_from_spec=True)
    rows = sheet.rows()
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    index = find_header(head, protocol_score, minimum=3)
    if index is None:
        raise refuse_without_header(head, str(ResultFormat.PROTOCOL.label), "«Задания с кратким ответом»")
    layout = read_layout(head[index], index + 1, result, with_tasks=False)
    result.header_line = index + 1
    if not spec:
        result.error(None, "", messages.PROTOCOL_NEEDS_SPEC)
        return result
    result.tasks = [FileTask(number=t.number, key=t.key, max_score=t.max_score, level=t.level) for t in spec]
    columns = layout.columns
    short_column = columns.get(headers.SHORT_ANSWERS)
    long_column = columns.get(headers.LONG_ANSWERS)
    short_title = layout.title(headers.SHORT_ANSWERS)
    long_title = layout.title(headers.LONG_ANSWERS)

    def cell(cells: list[Any], column: int | None) -> Any:
        return cells[column] if column is not None and column < len(cells) else None

    codes: dict[tuple[str, str], list[int]] = {}
    reported_max: set[str] = set()
    for line, cells in enumerate(itertools.chain(head[index + 1 :], rows), start=index + 2):
        short = cell_text(cell(cells, short_column))
        long = cell_text(cell(cells, long_column))
        code = code_text(cell(cells, columns.get(headers.CODE)))
        variant = cell_text(cell(cells, layout.variants[0] if layout.variants else None))
        if not short and not long and not code and not variant:
            continue
        if not code:
            if headers.CODE in columns:
                result.error(line, layout.title(headers.CODE), messages.CODE_REQUIRED)
                continue
            code = str(line)  # a protocol without codes: the line is the participant's code within the file
        login = cell_text(cell(cells, columns.get(headers.SCHOOL_LOGIN)))
        name = cell_text(cell(cells, columns.get(headers.SCHOOL_NAME)))
        school_key = login.lower() if login else normalise(name)
        if school_key and school_key not in result.schools:
            result.schools[school_key] = SchoolInFile(key=school_key, name=name, login=login)
        label = class_label(cell(cells, columns.get(headers.CLASS)))
        codes.setdefault((school_key, code), []).append(line)
        student = StudentRow(line=line, code=code, variant=variant[:32])
        if is_absent(variant) or is_absent(short):
            student.absent = True
        else:
            scores = parse_mask(short, spec)
            if isinstance(scores, str):
                result.error(line, short_title, messages.BAD_MASK, value=short[:60], char=scores)
                continue
            pairs = parse_long(long) if long else []
            if pairs is None:
                result.error(line, long_title, messages.BAD_LONG_ANSWERS, value=long[:60])
                continue
            if len(scores) + len(pairs) != len(spec):
                if long_column is None or len(scores) > len(spec):
                    result.error(
                        line, short_title, messages.MASK_LENGTH, found=len(scores), expected=len(spec) - len(pairs)
                    )
                else:
                    result.error(
                        line,
                        long_title,
                        messages.LONG_ANSWERS_COUNT,
                        found=len(pairs),
                        expected=len(spec) - len(scores),
                    )
                continue
            short_count = len(scores)
            for offset, (points, maximum) in enumerate(pairs):
                task = spec[short_count + offset]
                if maximum != task.max_score and task.key not in reported_max:
                    reported_max.add(task.key)
                    result.error(
                        line, long_title, messages.LONG_MAX_DIFFERS, task=task.number, file=maximum, spec=task.max_score
                    )
                scores.append(points)
            for position, score in enumerate(scores):
                if score > spec[position].max_score:
                    column = short_title if position < short_count else long_title
                    result.error(line, column, messages.SCORE_ABOVE_MAX, value=score, max=spec[position].max_score)
            student.scores = scores
            total = score_of(cell(cells, columns.get(headers.TOTAL)))
            if total >= 0 and total != student.primary_score:
                student.stated_score = total
                result.warn(
                    line,
                    layout.title(headers.TOTAL),
                    messages.STATED_SCORE_DIFFERS,
                    line=line,
                    code=code,
                    column=layout.title(headers.TOTAL),
                    stated=total,
                    sum=student.primary_score,
                )
            raw_mark = cell(cells, columns.get(headers.MARK))
            try:
                student.stated_mark = mark_of(raw_mark)
            except ValueError:
                result.error(line, layout.title(headers.MARK), messages.BAD_MARK, value=cell_text(raw_mark))
        gender = gender_of(cell(cells, columns.get(headers.GENDER)))
        student.gender = gender or ""
        if not is_empty(journal := cell(cells, columns.get(headers.JOURNAL))):
            try:
                student.journal_mark = mark_of(journal)
            except ValueError:
                result.error(line, layout.title(headers.JOURNAL), messages.BAD_JOURNAL_MARK, value=cell_text(journal))
        result.block(school_key, label).students.append(student)
    for (_school, code), lines in codes.items():
        if len(lines) > 1:
            result.error(
                lines[1],
                layout.title(headers.CODE),
                messages.DUPLICATE_CODE,
                code=code,
                lines=", ".join(str(n) for n in lines[:20]),
            )
    if not result.classes and not result.errors:
        result.error(None, "", messages.NO_DATA_ROWS)
    return result
