"""Plausible ФИС ОКО statistics exports built in the tests: a few title rows, the header, a row per group."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def workbook(rows: Sequence[Sequence[Any]], title: str = "Выполнение заданий") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle


def tasks_file(numbers: Sequence[str], groups: Sequence[tuple[str, int, Sequence[Any]]], *, maxima: Sequence[int] = ()):
    rows: list[list[Any]] = [
        ["Выполнение заданий"],
        ["ВПР 2025 Математика 6 класс"],
        ["Достижение планируемых результатов"],
        [],
        ["Группы участников", "Кол-во участников", *numbers],
    ]
    if maxima:
        rows.append(["Макс балл", None, *maxima])
    for name, participants, values in groups:
        rows.append([name, participants, *values])
    return workbook(rows)


def marks_file(groups: Sequence[tuple[str, int, int, Sequence[Any]]]):
    rows: list[list[Any]] = [
        ["Статистика по отметкам"],
        ["ВПР 2025 Математика 6 класс"],
        [],
        ["Группы участников", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"],
    ]
    for name, schools, participants, shares in groups:
        rows.append([name, schools, participants, *shares])
    return workbook(rows, "Статистика по отметкам")
