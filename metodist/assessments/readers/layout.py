"""The header row of a result file: which columns it has, which are tasks, and how they meet the specification."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from metodist.imports.limits import column_letter
from metodist.imports.parsing import cell_text

from .. import messages
from . import headers
from .base import (
    HEADER_SEARCH_ROWS,
    FileTask,
    ReaderRefused,
    ReadResult,
    SpecTask,
    found_headers,
    looks_like_task,
    parse_task_header,
)


@dataclass
class Layout:
    """The columns of a header row: the first of each known kind, the variant parts and the tasks."""

    line: int
    columns: dict[str, int] = field(default_factory=dict)
    variants: list[int] = field(default_factory=list)
    tasks: list[tuple[int, FileTask]] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)  # column index -> header as written

    def has(self, key: str) -> bool:
        return key in self.columns

    def title(self, key: str) -> str:
        if key == headers.VARIANT and self.variants:
            return self.titles.get(self.variants[0], key)
        return self.titles.get(self.columns[key], key) if key in self.columns else key


def column_name(layout: Layout, index: int) -> str:
    """How a message names a column: its header, else its letter."""
    return layout.titles.get(index) or column_letter(index + 1)


def find_header(head: Sequence[list[Any]], score: Callable[[list[Any]], int], minimum: int = 2) -> int | None:
    """The index among ``head`` of the row that looks most like this format's header (``None``: none does)."""
    best, best_score = None, minimum - 1
    for index, cells in enumerate(head[:HEADER_SEARCH_ROWS]):
        value = score(cells)
        if value > best_score:
            best, best_score = index, value
    return best


def count_kinds(cells: list[Any]) -> tuple[set[str], int]:
    """The known column kinds of a row and how many of its cells are task headers."""
    kinds: set[str] = set()
    tasks = 0
    for cell in cells:
        key = headers.classify(cell)
        if key is not None:
            kinds.add(key)
        elif parse_task_header(cell) is not None:
            tasks += 1
    return kinds, tasks


def read_layout(cells: list[Any], line: int, result: ReadResult, *, with_tasks: bool = True) -> Layout:
    """Recognise the header row; a header among the tasks that is not a task is an error."""
    layout = Layout(line=line)
    unknown: list[tuple[int, str]] = []
    seen_tasks: dict[str, list[str]] = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        layout.titles[index] = text
        key = headers.classify(cell)
        if key is None and with_tasks and (task := parse_task_header(cell)) is not None:
            layout.tasks.append((index, task))
            seen_tasks.setdefault(task.key, []).append(column_letter(index + 1))
            continue
        if key is None:
            unknown.append((index, text))
        elif key == headers.VARIANT:
            layout.variants.append(index)
        elif key in layout.columns and key not in (headers.PERSONAL, headers.IGNORED):
            result.warn(line, text, messages.DUPLICATE_COLUMN, header=text)
        else:
            layout.columns.setdefault(key, index)
    for key, letters in seen_tasks.items():
        if len(letters) > 1:
            number = next(task.number for _i, task in layout.tasks if task.key == key)
            result.error(line, number, messages.DUPLICATE_TASK, task=number, columns=", ".join(letters))
    first = min((i for i, _t in layout.tasks), default=None)
    last = max((i for i, _t in layout.tasks), default=None)
    for index, text in unknown:
        among = first is not None and last is not None and first < index < last
        if with_tasks and (among or looks_like_task(text)):
            result.error(line, text, messages.NOT_A_TASK_HEADER, header=text)
        else:
            result.warn(line, text, messages.UNKNOWN_HEADER, header=text)
    return layout


def resolve_tasks(result: ReadResult, layout: Layout, spec: Sequence[SpecTask]) -> list[int | None]:
    """Meet the file's tasks with the procedure's specification; the maximum of each file task (or ``None``)."""
    tasks = [task for _index, task in layout.tasks]
    result.tasks = tasks
    if not tasks:
        result.error(layout.line, "", messages.NO_TASK_COLUMNS)
        return []
    if not spec:
        maxima: list[int | None] = []
        for task in tasks:
            if task.max_score is None:
                result.error(layout.line, task.header, messages.TASK_MAX_UNKNOWN, task=task.number)
            maxima.append(task.max_score)
        if all(m is not None for m in maxima):
            total = sum(m for m in maxima if m is not None)
            result.warn(None, "", messages.TASKS_FROM_FILE, count=len(tasks), total=total)
        return maxima
    by_key = {task.key: task for task in spec}
    file_keys = {task.key for task in tasks}
    missing = [task.number for task in spec if task.key not in file_keys]
    extra = [task.number for task in tasks if task.key not in by_key]
    if missing:
        result.error(layout.line, "", messages.TASKS_MISSING, tasks=", ".join(f"«{n}»" for n in missing))
    if extra:
        result.error(layout.line, "", messages.TASKS_EXTRA, tasks=", ".join(f"«{n}»" for n in extra))
    maxima = []
    for task in tasks:
        known = by_key.get(task.key)
        if known is None:
            maxima.append(task.max_score)
            continue
        if task.max_score is not None and task.max_score != known.max_score:
            result.error(
                layout.line,
                task.header,
                messages.TASK_MAX_DIFFERS,
                task=task.number,
                file=task.max_score,
                spec=known.max_score,
            )
        maxima.append(known.max_score)
    return maxima


def refuse_without_header(head: Sequence[list[Any]], format_label: str, required: str) -> ReaderRefused:
    return ReaderRefused(
        messages.NO_HEADER_FOR_FORMAT
        % {"format": format_label, "rows": HEADER_SEARCH_ROWS, "required": required, "found": found_headers(list(head))}
    )
