"""What the two imports share: the report of a check, the row results and the base class that reads a file."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise

from .. import errors, progress
from ..limits import STAFF_LIMITS, FileLimits
from ..parsing import (
    ColumnSpec,
    FileError,
    NoSuchDate,
    ParsedTable,
    SheetRow,
    YearOnly,
    cell_text,
    normalise,
    parse_date,
    parse_flag,
    read_table,
)

STATUS_NEW = "new"
STATUS_UPDATED = "updated"
STATUS_UNCHANGED = "unchanged"
# A staff row whose person waits for a methodologist («на подтверждении у методиста», see services.staff).
STATUS_PENDING = "pending"
PREVIEW_ROWS = 50
EARLIEST_DATE = datetime.date(1930, 1, 1)  # no date in a staff or organisation list is older


class ImportRejected(Exception):
    """The file cannot be loaded as asked; ``report`` is the fresh check that says why."""

    def __init__(self, message: str | Promise, report: ImportReport) -> None:
        self.message = str(message)
        self.report = report
        super().__init__(self.message)


# --- The result of a check ---------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    label: str = ""
    cells: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # column key -> how its value was read («год 2015»)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str | Promise, **params: Any) -> None:
        text = str(message % params) if params else str(message)
        if text not in self.errors:
            self.errors.append(text)


@dataclass
class ImportReport:
    """What the check of one file found: file-level errors, warnings and every row's result."""

    kind: str
    columns: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    recognised: list[list[str]] = field(default_factory=list)
    header_line: int | None = None
    reference_date: datetime.date | None = None  # experience given in years is counted back from it

    @property
    def valid_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.ok and r.status == status)

    def counts(self) -> dict[str, int]:
        return {
            "total": len(self.rows),
            "valid": len(self.valid_rows),
            "invalid": len(self.invalid_rows),
            "new": self.count(STATUS_NEW),
            "updated": self.count(STATUS_UPDATED),
            "unchanged": self.count(STATUS_UNCHANGED),
            "pending": self.count(STATUS_PENDING),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_errors": self.file_errors,
            "warnings": self.warnings,
            "header_line": self.header_line,
            "reference_date": self.reference_date.isoformat() if self.reference_date else None,
            "recognised": self.recognised,
            "columns": self.columns,
            "preview": [{"line": r.line, "status": r.status, "cells": r.cells} for r in self.valid_rows[:PREVIEW_ROWS]],
            "errors": [{"line": r.line, "label": r.label, "messages": r.errors} for r in self.invalid_rows],
            "counts": self.counts(),
        }


def _suggest(value: str, choices: dict[str, Any]) -> str | None:
    """The closest known name: one the value starts with («Учитель математики» → «Учитель»), else by difflib."""
    key = normalise(value)
    prefixes = [name for name in choices if key.startswith(f"{name} ")]
    if prefixes:
        return str(choices[max(prefixes, key=len)])
    match = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return str(choices[match[0]]) if match else None


def _lines(lines: Iterable[int]) -> str:
    ordered = sorted(set(lines))
    if len(ordered) == 1:
        return str(ordered[0])
    return ", ".join(str(n) for n in ordered[:-1]) + " и " + str(ordered[-1])


def grades_text(grades: Iterable[int]) -> str:
    """[1, 2, 3, 4, 7] → «1-4, 7»."""
    ordered = sorted(set(grades))
    parts: list[str] = []
    start = previous = None
    for grade in [*ordered, None]:
        if start is not None and (grade is None or grade != previous + 1):
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = None
        if grade is not None and start is None:
            start = grade
        previous = grade
    return ", ".join(parts)


def _fmt(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


class _BaseImport:
    """Reading a file and checking it: what both imports share. A subclass names its columns and its steps."""

    kind: str
    columns: tuple[ColumnSpec, ...]
    limits: FileLimits = STAFF_LIMITS  # what this kind of list may hold; checked before the file is parsed
    used_reference_date = False  # set when a value was counted back from the reference date (experience in years)
    rows: list[Any]  # one item per row of the file, each with its ``result``; the subclass fills it

    def __init__(
        self,
        *,
        content: bytes,
        filename: str,
        today: datetime.date | None = None,
        reference_date: datetime.date | None = None,
    ) -> None:
        self.content = content
        self.filename = filename
        self.today = today or timezone.localdate()
        self.reference_date = reference_date or self.today
        self.report = ImportReport(kind=self.kind)
        self.table: ParsedTable | None = None
        self.labels: dict[str, str] = {c.key: c.title for c in self.columns}

    # Reading -----------------------------------------------------------------------------------------

    def missing_columns(self, table: ParsedTable) -> list[str]:
        raise NotImplementedError

    def read(self) -> bool:
        if len(self.content) > settings.IMPORT_MAX_UPLOAD_BYTES:
            self.report.file_errors.append(
                str(
                    errors.FILE_TOO_LARGE
                    % {
                        "size": filesizeformat(len(self.content)),
                        "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES),
                    }
                )
            )
            return False
        try:
            table = read_table(content=self.content, filename=self.filename, columns=self.columns, limits=self.limits)
        except FileError as exc:
            self.report.file_errors.extend(exc.messages)
            return False
        self.report.warnings.extend(table.notes)
        self.report.header_line = table.header_line
        titles = {c.key: c.title for c in self.columns}
        self.report.recognised = [[written, titles[key]] for written, key in table.recognised]
        for written, key in table.recognised:
            self.labels[key] = written
        missing = self.missing_columns(table)
        if missing:
            found = ", ".join(f"«{h}»" for h in table.headers) or str(errors.NOTHING_FOUND)
            self.report.file_errors.append(
                str(errors.MISSING_COLUMNS % {"missing": ", ".join(f"«{m}»" for m in missing), "found": found})
            )
            return False
        if table.ignored:
            self.report.warnings.append(
                str(errors.IGNORED_COLUMNS % {"columns": ", ".join(f"«{h}»" for h in table.ignored)})
            )
        for title in table.duplicated:
            self.report.warnings.append(str(errors.DUPLICATE_COLUMN % {"column": title}))
        if not table.rows:
            self.report.file_errors.append(str(errors.NO_ROWS))
            return False
        self.table = table
        return True

    # Checking ----------------------------------------------------------------------------------------

    def check(self) -> ImportReport:
        """Read the file, check every row and work out what would change, without writing anything."""
        if not self.read():
            return self.report
        self._check_rows()
        if self.used_reference_date:
            self.report.reference_date = self.reference_date
            self.report.warnings.append(str(errors.EXPERIENCE_REFERENCE % {"date": _fmt(self.reference_date)}))
        self._finish_rows()
        self.report.rows = [item.result for item in self.rows]
        if not self.report.rows:
            self.report.file_errors.append(str(errors.NO_ROWS))
        return self.report

    def _check_rows(self) -> None:
        """Clean the rows of the file into ``self.rows``, check them against each other and the register."""
        raise NotImplementedError

    def _finish_rows(self) -> None:
        """Give every correct row its status and its cells for the preview."""
        raise NotImplementedError

    def _clean(self, row: SheetRow) -> Any:
        """One row of the file on its own, or ``None`` for a row to skip (the example row)."""
        raise NotImplementedError

    def _clean_rows(self) -> None:
        assert self.table is not None
        for done, row in enumerate(self.table.rows, start=1):
            item = self._clean(row)
            if item is not None:
                self.rows.append(item)
            progress.report(progress.CHECKING, done, len(self.table.rows))

    def write(self) -> None:
        """Save what the check found would change."""
        raise NotImplementedError

    # Cell helpers ------------------------------------------------------------------------------------

    def text(self, row: SheetRow, key: str, result: RowResult, *, limit: int) -> str:
        value = row.text(key)
        if len(value) > limit:
            result.error(errors.TOO_LONG, column=self.labels[key], limit=limit)
            return ""
        return value

    def date(
        self,
        row: SheetRow,
        key: str,
        result: RowResult,
        *,
        future_ok: bool = False,
        year_means_september: bool = False,
        earliest: datetime.date | None = EARLIEST_DATE,
    ) -> datetime.date | None:
        """A date cell, checked to be plausible: not before 1930 and not in the future (unless ``future_ok``).

        A year alone (2015, or 2015 typed into a cell formatted as a date, which Excel shows as 07.07.1905)
        is read as 1 September of that year when ``year_means_september`` — the start of a school year, for
        «работает с» and «стаж с» columns — and is an error otherwise.
        """
        raw = row.get(key)
        try:
            value = parse_date(raw)
        except YearOnly as exc:
            if not year_means_september:
                result.error(errors.YEAR_ONLY, column=self.labels[key], value=exc.year)
                return None
            value = datetime.date(exc.year, 9, 1)
            result.notes[key] = str(errors.YEAR_READ_AS_DATE % {"year": exc.year, "value": _fmt(value)})
        except NoSuchDate:
            result.error(errors.NO_SUCH_DATE, column=self.labels[key], value=cell_text(raw))
            return None
        except ValueError:
            result.error(errors.BAD_DATE, column=self.labels[key], value=cell_text(raw))
            return None
        if value is None:
            return None
        if earliest is not None and value < earliest:
            result.error(errors.DATE_TOO_EARLY, column=self.labels[key], value=_fmt(value), year=earliest.year)
            return None
        if not future_ok and value > self.today:
            result.error(errors.FUTURE_DATE, column=self.labels[key], value=_fmt(value))
            return None
        return value

    def flag(self, row: SheetRow, key: str, result: RowResult) -> bool | None:
        raw = row.get(key)
        try:
            return parse_flag(raw)
        except ValueError:
            result.error(errors.BAD_FLAG, column=self.labels[key], value=cell_text(raw))
            return None

    def email(self, row: SheetRow, key: str, result: RowResult) -> str:
        value = row.text(key)
        if not value:
            return ""
        try:
            validate_email(value)
        except ValidationError:
            result.error(errors.BAD_EMAIL, value=value)
            return ""
        return value


def _apply(importer: _BaseImport, *, only_valid: bool) -> ImportReport:
    with transaction.atomic():
        report = importer.check()
        if report.file_errors:
            raise ImportRejected(errors.FILE_NOT_LOADABLE, report)
        if not report.valid_rows:
            raise ImportRejected(errors.NOTHING_TO_APPLY, report)
        if report.invalid_rows and not only_valid:
            raise ImportRejected(errors.ROWS_HAVE_ERRORS, report)
        importer.write()
    return report
