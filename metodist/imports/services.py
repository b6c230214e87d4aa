"""Checking and loading staff lists and organisation lists.

Every function that writes is here, keyword-only, and writes in one transaction. The check and the load
share one code path: :class:`_StaffImport` and :class:`_OrganisationImport` read the file, check every
row, look the rows up in the register and work out what would change; ``write()`` then saves only
what differs, so that loading the same file twice changes nothing (and leaves no audit entries).
"""

from __future__ import annotations

import datetime
import difflib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise

from metodist.accounts.choices import Action
from metodist.core.scoping import scope_for
from metodist.registry.choices import (
    EmploymentKind,
    InnovationSite,
    OrganisationKind,
    PositionGroup,
    QualificationCategory,
    TerritoryKind,
)
from metodist.registry.models import Employment, Organisation, Person, Position, Subject, Territory, full_years_between
from metodist.registry.validators import is_valid_inn, is_valid_ogrn, is_valid_snils, normalise_snils

from . import errors
from .columns import EXAMPLE_INN, EXAMPLE_SNILS, ORGANISATION_COLUMNS, STAFF_COLUMNS
from .models import ImportBatch, ImportKind, ImportStatus
from .parsing import (
    ColumnSpec,
    FileError,
    ParsedTable,
    SheetRow,
    cell_text,
    digits,
    normalise,
    parse_date,
    parse_flag,
    parse_grades,
    read_table,
    split_list,
)
from .vocabulary import (
    CATEGORY_ALLOWED,
    CATEGORY_NAMES,
    EMPLOYMENT_KINDS,
    GENDERS,
    INNOVATION,
    MUNICIPALITY_WORDS,
    POSITION_ALIASES,
    SUBJECT_ALIASES,
    organisation_kind_from_text,
)

STATUS_NEW = "new"
STATUS_UPDATED = "updated"
STATUS_UNCHANGED = "unchanged"
PREVIEW_ROWS = 50
MIN_AGE = 18
MAX_AGE = 100


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
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_errors": self.file_errors,
            "warnings": self.warnings,
            "header_line": self.header_line,
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
    kind: str
    columns: tuple[ColumnSpec, ...]

    def __init__(self, *, content: bytes, filename: str, today: datetime.date | None = None) -> None:
        self.content = content
        self.filename = filename
        self.today = today or timezone.localdate()
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
            table = read_table(content=self.content, filename=self.filename, columns=self.columns)
        except FileError as exc:
            self.report.file_errors.extend(exc.messages)
            return False
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

    # Cell helpers ------------------------------------------------------------------------------------

    def text(self, row: SheetRow, key: str, result: RowResult, *, limit: int) -> str:
        value = row.text(key)
        if len(value) > limit:
            result.error(errors.TOO_LONG, column=self.labels[key], limit=limit)
            return ""
        return value

    def date(self, row: SheetRow, key: str, result: RowResult, *, future_ok: bool = False) -> datetime.date | None:
        raw = row.get(key)
        try:
            value = parse_date(raw)
        except ValueError:
            result.error(errors.BAD_DATE, column=self.labels[key], value=cell_text(raw))
            return None
        if value is not None and not future_ok and value > self.today:
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


# --- Staff lists -------------------------------------------------------------------------------------

PERSON_FIELDS = ("birth_date", "snils", "gender", "email", "phone", "education", "experience_start")
PERSON_FIELD_TITLES = {
    "last_name": "фамилия",
    "first_name": "имя",
    "patronymic": "отчество",
    "birth_date": "дата рождения",
    "snils": "СНИЛС",
    "gender": "пол",
    "email": "электронная почта",
    "phone": "телефон",
    "education": "образование",
    "experience_start": "начало педагогического стажа",
}


@dataclass
class _PersonPlan:
    """One person of the file: found in the register or to be created, and what changes."""

    key: tuple
    rows: list[_StaffRow] = field(default_factory=list)
    person: Person | None = None
    matched_by_snils: bool = False
    error: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # of a person to be created
    changes: dict[str, Any] = field(default_factory=dict)  # of a person found in the register


@dataclass
class _StaffRow:
    result: RowResult
    data: dict[str, Any] = field(default_factory=dict)
    position: Position | None = None
    subjects: list[Subject] | None = None
    name_key: tuple | None = None
    key: tuple | None = None
    plan: _PersonPlan | None = None
    employment: Employment | None = None
    employment_values: dict[str, Any] = field(default_factory=dict)
    subjects_change: bool = False


class _StaffImport(_BaseImport):
    kind = ImportKind.STAFF
    columns = STAFF_COLUMNS

    def __init__(self, *, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.organisation = organisation
        self.report.columns = [
            "ФИО",
            "Дата рождения",
            "СНИЛС",
            "Должность",
            "Предметы",
            "Классы",
            "Категория",
        ]
        self.rows: list[_StaffRow] = []
        self.plans: dict[tuple, _PersonPlan] = {}

    def missing_columns(self, table: ParsedTable) -> list[str]:
        missing = []
        if not table.has("full_name") and not (table.has("last_name") and table.has("first_name")):
            if table.has("last_name"):
                missing.append("Имя")
            elif table.has("first_name"):
                missing.append("Фамилия")
            else:
                missing.append("ФИО (или «Фамилия», «Имя», «Отчество»)")
        if not table.has("position"):
            missing.append("Должность")
        return missing

    # Step 1: every row on its own ----------------------------------------------------------------------

    def _load_reference(self) -> None:
        positions = list(Position.objects.all())
        subjects = list(Subject.objects.all())
        self.position_names = {normalise(p.name): p.name for p in positions}
        self.subject_names = {normalise(s.name): s.name for s in subjects}
        self.positions = {normalise(p.name): p for p in positions}
        for alias, name in POSITION_ALIASES.items():
            if normalise(name) in self.positions:
                self.positions.setdefault(alias, self.positions[normalise(name)])
        self.subjects = {normalise(s.name): s for s in subjects}
        for alias, name in SUBJECT_ALIASES.items():
            if normalise(name) in self.subjects:
                self.subjects.setdefault(alias, self.subjects[normalise(name)])

    def _find_position(self, value: str) -> Position | None:
        key = normalise(value)
        if key in self.positions:
            return self.positions[key]
        # «Заместитель директора по УВР» is the nomenclature's «Заместитель директора».
        if " по " in f" {key} ":
            head = key.split(" по ")[0]
            if head in self.positions:
                return self.positions[head]
        return None

    def _names(self, row: SheetRow, result: RowResult) -> tuple[str, str, str]:
        table = self.table
        assert table is not None
        last = first = patronymic = ""
        if table.has("last_name") or table.has("first_name"):
            last = self.text(row, "last_name", result, limit=150)
            first = self.text(row, "first_name", result, limit=150)
            patronymic = self.text(row, "patronymic", result, limit=150)
        if not last and not first and table.has("full_name"):
            full = row.text("full_name")
            parts = full.split()
            if len(parts) < 2:
                if full:
                    result.error(errors.BAD_FULL_NAME, value=full)
                else:
                    result.error(errors.REQUIRED_VALUE, column=self.labels["full_name"])
                return "", "", ""
            last, first, patronymic = parts[0], parts[1], " ".join(parts[2:])
            if max(len(last), len(first), len(patronymic)) > 150:
                result.error(errors.TOO_LONG, column=self.labels["full_name"], limit=150)
                return "", "", ""
        else:
            if not last:
                result.error(errors.REQUIRED_VALUE, column=self.labels["last_name"])
            if not first:
                result.error(errors.REQUIRED_VALUE, column=self.labels["first_name"])
        return last, first, patronymic

    def _is_example(self, last: str, first: str, snils_digits: str) -> bool:
        return normalise(last) == "образцова" and normalise(first) == "мария" and snils_digits == digits(EXAMPLE_SNILS)

    def _clean(self, row: SheetRow) -> _StaffRow | None:
        result = RowResult(line=row.line)
        item = _StaffRow(result=result)
        d = item.data
        last, first, patronymic = self._names(row, result)
        result.label = " ".join(p for p in (last, first, patronymic) if p)
        d.update(last_name=last, first_name=first, patronymic=patronymic)

        raw_snils = row.get("snils")
        snils_digits = digits(raw_snils)
        if isinstance(raw_snils, int | float) and not isinstance(raw_snils, bool) and snils_digits:
            snils_digits = snils_digits.zfill(11)  # Excel drops the leading zeros of a number
        if self._is_example(last, first, snils_digits):
            self.report.warnings.append(str(errors.EXAMPLE_ROW_SKIPPED % {"line": row.line}))
            return None
        d["snils"] = ""
        if cell_text(raw_snils):
            if len(snils_digits) == 11 and is_valid_snils(snils_digits):
                d["snils"] = normalise_snils(snils_digits)
            else:
                result.error(errors.BAD_SNILS, value=cell_text(raw_snils))

        birth = self.date(row, "birth_date", result, future_ok=True)
        if birth is not None:
            age = full_years_between(birth, self.today)
            if birth > self.today:
                result.error(errors.FUTURE_BIRTH_DATE, value=_fmt(birth))
            elif age < MIN_AGE:
                result.error(errors.TOO_YOUNG, value=_fmt(birth))
            elif age > MAX_AGE:
                result.error(errors.TOO_OLD, value=_fmt(birth))
        d["birth_date"] = birth
        if not cell_text(raw_snils) and not cell_text(row.get("birth_date")):
            result.error(errors.IDENTITY_REQUIRED)

        gender = row.text("gender")
        d["gender"] = ""
        if gender:
            if normalise(gender) in GENDERS:
                d["gender"] = GENDERS[normalise(gender)]
            else:
                result.error(errors.BAD_GENDER, value=gender)

        position = row.text("position")
        if not position:
            result.error(errors.REQUIRED_VALUE, column=self.labels["position"])
        else:
            item.position = self._find_position(position)
            if item.position is None:
                suggestion = _suggest(position, self.position_names)
                if suggestion:
                    result.error(errors.UNKNOWN_POSITION_SUGGEST, value=position, suggestion=suggestion)
                else:
                    result.error(errors.UNKNOWN_POSITION, value=position)

        if cell_text(row.get("subjects")):
            item.subjects = []
            for name in split_list(row.get("subjects")):
                subject = self.subjects.get(normalise(name))
                if subject is None:
                    suggestion = _suggest(name, self.subject_names)
                    if suggestion:
                        result.error(errors.UNKNOWN_SUBJECT_SUGGEST, value=name, suggestion=suggestion)
                    else:
                        result.error(errors.UNKNOWN_SUBJECT, value=name)
                elif subject not in item.subjects:
                    item.subjects.append(subject)

        raw_grades = row.get("grades")
        try:
            d["grades"] = parse_grades(raw_grades)
        except ValueError:
            result.error(errors.BAD_GRADES, value=cell_text(raw_grades))
            d["grades"] = None

        d["experience_start"] = self.date(row, "experience_start", result)
        if d["experience_start"] and birth and d["experience_start"] < birth:
            result.error(errors.EXPERIENCE_BEFORE_BIRTH, value=_fmt(d["experience_start"]))
        d["start_date"] = self.date(row, "start_date", result, future_ok=True)

        category = row.text("category")
        d["category"] = None
        if category:
            if normalise(category) in CATEGORY_NAMES:
                d["category"] = CATEGORY_NAMES[normalise(category)]
            else:
                result.error(errors.UNKNOWN_CATEGORY, value=category, allowed=CATEGORY_ALLOWED)
        d["category_assigned_on"] = self.date(row, "category_assigned_on", result)

        d["is_manager"] = self.flag(row, "is_manager", result)
        kind = row.text("employment_kind")
        d["kind"] = None
        if kind:
            if normalise(kind) in EMPLOYMENT_KINDS:
                d["kind"] = EMPLOYMENT_KINDS[normalise(kind)]
            else:
                result.error(errors.BAD_EMPLOYMENT_KIND, value=kind)

        d["email"] = self.email(row, "email", result)
        d["phone"] = self.text(row, "phone", result, limit=64)
        d["education"] = self.text(row, "education", result, limit=255)
        item.name_key = (normalise(last), normalise(first), normalise(patronymic), birth)
        return item

    # Step 2: rows against each other -------------------------------------------------------------------

    def _assign_keys(self) -> None:
        snils_by_name: dict[tuple, set[str]] = defaultdict(set)
        for item in self.rows:
            if item.data.get("snils") and item.name_key[3] is not None:
                snils_by_name[item.name_key].add(item.data["snils"])
        for item in self.rows:
            if not item.result.ok and not (item.data.get("last_name") and item.data.get("first_name")):
                continue
            if item.data.get("snils"):
                item.key = ("snils", item.data["snils"])
                continue
            known = snils_by_name.get(item.name_key, set())
            if len(known) == 1:
                item.key = ("snils", next(iter(known)))
            elif len(known) > 1:
                item.result.error(errors.AMBIGUOUS_IN_FILE, name=item.result.label)
            else:
                item.key = ("name", item.name_key)

    def _check_duplicates(self) -> None:
        seen: dict[tuple, list[_StaffRow]] = defaultdict(list)
        for item in self.rows:
            if item.key is not None and item.position is not None:
                seen[(item.key, item.position.pk)].append(item)
        for group in seen.values():
            if len(group) > 1:
                lines = _lines(i.result.line for i in group)
                for item in group:
                    item.result.error(
                        errors.DUPLICATE_PERSON, name=item.result.label, position=item.position.name, lines=lines
                    )

    def _check_conflicts(self) -> None:
        """Rows of one person must not disagree about the person (else every load would flip the data)."""
        groups: dict[tuple, list[_StaffRow]] = defaultdict(list)
        for item in self.rows:
            if item.key is not None and item.result.ok:
                groups[item.key].append(item)
        for group in groups.values():
            first = group[0]
            for item in group[1:]:
                differing = []
                for name in ("last_name", "first_name", "patronymic"):
                    if normalise(item.data[name]) != normalise(first.data[name]):
                        differing.append(PERSON_FIELD_TITLES[name])
                for name in PERSON_FIELDS:
                    a, b = first.data.get(name), item.data.get(name)
                    if a not in (None, "") and b not in (None, "") and str(a).lower() != str(b).lower():
                        differing.append(PERSON_FIELD_TITLES[name])
                if differing:
                    item.result.error(
                        errors.PERSON_CONFLICT,
                        name=item.result.label,
                        line=first.result.line,
                        fields=", ".join(differing),
                    )

    # Step 3: rows against the register ------------------------------------------------------------------

    def _resolve_people(self) -> None:
        keys = {item.key for item in self.rows if item.key is not None and item.result.ok}
        snils_values = {k[1] for k in keys if k[0] == "snils"}
        births = {item.name_key[3] for item in self.rows if item.key in keys and item.name_key[3] is not None}
        by_snils = {p.snils: p for p in Person.objects.filter(snils__in=snils_values)} if snils_values else {}
        by_name: dict[tuple, list[Person]] = defaultdict(list)
        for person in Person.objects.filter(birth_date__in=births) if births else []:
            key = (normalise(person.last_name), normalise(person.first_name), normalise(person.patronymic))
            by_name[(*key, person.birth_date)].append(person)

        for item in self.rows:
            if item.key is None or not item.result.ok:
                continue
            plan = self.plans.get(item.key)
            if plan is None:
                plan = self.plans[item.key] = _PersonPlan(key=item.key)
                self._find_person(plan, item, by_snils, by_name)
            plan.rows.append(item)
            item.plan = plan

    def _find_person(self, plan: _PersonPlan, item: _StaffRow, by_snils, by_name) -> None:
        snils = item.data["snils"] or (plan.key[1] if plan.key[0] == "snils" else "")
        if snils and snils in by_snils:
            person = by_snils[snils]
            if normalise(person.last_name) != normalise(item.data["last_name"]) and normalise(
                person.first_name
            ) != normalise(item.data["first_name"]):
                plan.error = str(errors.SNILS_OTHER_PERSON % {"value": snils})
                return
            plan.person = person
            plan.matched_by_snils = True
            return
        if item.name_key[3] is None:
            return
        candidates = by_name.get(item.name_key, [])
        if snils:
            candidates = [p for p in candidates if not p.snils]  # a person with another СНИЛС is someone else
        if len(candidates) > 1:
            plan.error = str(errors.AMBIGUOUS_PERSON % {"name": item.result.label})
        elif candidates:
            plan.person = candidates[0]

    def _plan_employments(self) -> None:
        people = [p.person.pk for p in self.plans.values() if p.person is not None]
        existing: dict[tuple[int, int], Employment] = {}
        if people:
            for employment in Employment.objects.filter(
                organisation=self.organisation, person_id__in=people, end_date__isnull=True
            ).prefetch_related("subjects"):
                existing[(employment.person_id, employment.position_id)] = employment
        for item in self.rows:
            if item.plan is None or not item.result.ok:
                continue
            if item.plan.error:
                item.result.error(item.plan.error)
                continue
            d = item.data
            employment = None
            if item.plan.person is not None:
                employment = existing.get((item.plan.person.pk, item.position.pk))
            item.employment = employment
            wanted: dict[str, Any] = {}
            if d["kind"] is not None:
                wanted["kind"] = d["kind"]
            if d["grades"] is not None:
                wanted["grades"] = d["grades"]
            if d["start_date"] is not None:
                wanted["start_date"] = d["start_date"]
            if d["is_manager"] is not None:
                wanted["is_manager"] = d["is_manager"]
            current_category = employment.category if employment else QualificationCategory.NONE
            current_date = employment.category_assigned_on if employment else None
            category = d["category"] if d["category"] is not None else current_category
            assigned = d["category_assigned_on"]
            if category == QualificationCategory.NONE:
                assigned = None
            elif assigned is None and category == current_category:
                assigned = current_date
            if category != QualificationCategory.NONE and assigned is None:
                item.result.error(errors.CATEGORY_DATE_REQUIRED, category=QualificationCategory(category).label.lower())
                continue
            wanted["category"] = category
            wanted["category_assigned_on"] = assigned
            if employment is None:
                wanted.setdefault("kind", EmploymentKind.MAIN)
                wanted.setdefault("grades", [])
                wanted.setdefault("is_manager", item.position.group == PositionGroup.MANAGEMENT)
                item.employment_values = wanted
                item.subjects_change = bool(item.subjects)
            else:
                item.employment_values = {k: v for k, v in wanted.items() if getattr(employment, k) != v}
                if item.subjects is not None:
                    current = {s.pk for s in employment.subjects.all()}
                    item.subjects_change = current != {s.pk for s in item.subjects}

    def _plan_people(self) -> None:
        for plan in self.plans.values():
            rows = [r for r in plan.rows if r.result.ok]
            if not rows:
                continue
            merged: dict[str, Any] = {}
            for name in ("last_name", "first_name", "patronymic", *PERSON_FIELDS):
                for r in rows:
                    value = r.data.get(name)
                    if value not in (None, ""):
                        merged[name] = value
                        break
            merged.setdefault("patronymic", "")
            if plan.person is None:
                plan.values = merged
                continue
            person = plan.person
            changes: dict[str, Any] = {}
            if plan.matched_by_snils:
                for name in ("last_name", "first_name", "patronymic"):
                    if merged.get(name) and normalise(merged[name]) != normalise(getattr(person, name)):
                        changes[name] = merged[name]
            for name in PERSON_FIELDS:
                if name not in merged:
                    continue
                current = getattr(person, name)
                if name == "email" and current and current.lower() == merged[name].lower():
                    continue
                if name == "snils" and current:
                    continue
                if current != merged[name]:
                    changes[name] = merged[name]
            plan.changes = changes

    def _finish_rows(self) -> None:
        for item in self.rows:
            result = item.result
            if not result.ok:
                continue
            plan = item.plan
            if item.employment is None:
                result.status = STATUS_NEW
            elif item.employment_values or item.subjects_change or (plan.changes and plan.rows[0] is item):
                result.status = STATUS_UPDATED
            else:
                result.status = STATUS_UNCHANGED
            d = item.data
            category = item.employment_values.get("category") or (item.employment and item.employment.category)
            grades = d["grades"] if d["grades"] is not None else (item.employment.grades if item.employment else [])
            subjects = item.subjects
            if subjects is None and item.employment is not None:
                subjects = list(item.employment.subjects.all())
            result.cells = [
                result.label,
                _fmt(d["birth_date"]) if d["birth_date"] else "",
                d["snils"],
                item.position.name,
                ", ".join(s.name for s in subjects or []),
                grades_text(grades),
                str(QualificationCategory(category).label) if category else "",
            ]

    def check(self) -> ImportReport:
        if not self.read():
            return self.report
        self._load_reference()
        assert self.table is not None
        for row in self.table.rows:
            item = self._clean(row)
            if item is not None:
                self.rows.append(item)
        self._assign_keys()
        self._check_duplicates()
        self._check_conflicts()
        self._resolve_people()
        self._plan_employments()
        self._plan_people()
        self._finish_rows()
        self.report.rows = [item.result for item in self.rows]
        if not self.report.rows:
            self.report.file_errors.append(str(errors.NO_ROWS))
        return self.report

    def write(self) -> None:
        for plan in self.plans.values():
            if not any(r.result.ok for r in plan.rows):
                continue
            if plan.person is None:
                values = {k: v for k, v in plan.values.items() if v not in (None, "")}
                plan.person = Person.objects.create(**values)
            elif plan.changes:
                for name, value in plan.changes.items():
                    setattr(plan.person, name, value)
                plan.person.save(update_fields=[*plan.changes, "updated_at"])
        for item in self.rows:
            if not item.result.ok:
                continue
            employment = item.employment
            if employment is None:
                employment = Employment.objects.create(
                    person=item.plan.person,
                    organisation=self.organisation,
                    position=item.position,
                    **item.employment_values,
                )
            elif item.employment_values:
                for name, value in item.employment_values.items():
                    setattr(employment, name, value)
                employment.save(update_fields=[*item.employment_values, "updated_at"])
            if item.subjects_change:
                employment.subjects.set(item.subjects or [])


# --- Organisation lists ------------------------------------------------------------------------------

ORGANISATION_FLAGS = ("low_results", "unfavourable_conditions", "growth_point", "internship_site")


def _municipality_core(name: str) -> str:
    return " ".join(w for w in normalise(name).split() if w not in MUNICIPALITY_WORDS)


def municipalities_for_import(user) -> list[Territory]:
    """The municipalities whose organisation lists ``user`` may load (none for a coordinator)."""
    scope = scope_for(user, Action.IMPORT)
    qs = Territory.objects.filter(kind=TerritoryKind.MUNICIPALITY)
    if scope.is_global:
        return list(qs.order_by("name"))
    if not scope.territory_ids:
        return []
    return list(qs.filter(id__in=scope.territory_ids).order_by("name"))


def can_import_organisations(user) -> bool:
    scope = scope_for(user, Action.IMPORT)
    return scope.is_global or bool(scope.territory_ids)


@dataclass
class _OrganisationRow:
    result: RowResult
    data: dict[str, Any] = field(default_factory=dict)
    territory: Territory | None = None
    kind_given: bool = False
    organisation: Organisation | None = None
    changes: dict[str, Any] = field(default_factory=dict)


class _OrganisationImport(_BaseImport):
    kind = ImportKind.ORGANISATIONS
    columns = ORGANISATION_COLUMNS

    def __init__(self, *, user, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.municipalities = municipalities_for_import(user)
        self.default_municipality = self.municipalities[0] if len(self.municipalities) == 1 else None
        self.report.columns = ["Краткое наименование", "Тип", "ИНН", "ОГРН", "Муниципалитет", "Признаки"]
        self.rows: list[_OrganisationRow] = []

    def missing_columns(self, table: ParsedTable) -> list[str]:
        missing = []
        if not table.has("short_name"):
            missing.append("Краткое наименование")
        if not table.has("municipality") and self.default_municipality is None:
            missing.append("Муниципалитет")
        return missing

    def _municipality(self, row: SheetRow, result: RowResult) -> Territory | None:
        value = row.text("municipality")
        if not value:
            if self.default_municipality is None:
                result.error(errors.REQUIRED_VALUE, column=self.labels["municipality"])
            return self.default_municipality
        by_name = {normalise(t.name): t for t in self.municipalities}
        if normalise(value) in by_name:
            return by_name[normalise(value)]
        cores = [t for t in self.municipalities if _municipality_core(t.name) == _municipality_core(value)]
        if len(cores) == 1 and _municipality_core(value):
            return cores[0]
        suggestion = _suggest(value, {normalise(t.name): t.name for t in self.municipalities})
        if suggestion:
            result.error(errors.UNKNOWN_MUNICIPALITY_SUGGEST, value=value, suggestion=suggestion)
        else:
            allowed = ", ".join(f"«{t.name}»" for t in self.municipalities[:20]) or str(errors.NOTHING_FOUND)
            result.error(errors.UNKNOWN_MUNICIPALITY, value=value, allowed=allowed)
        return None

    def _number(self, row: SheetRow, key: str, result: RowResult, check, message) -> str:
        raw = cell_text(row.get(key))
        if not raw:
            return ""
        value = raw.replace(" ", "").replace("-", "")
        if not value.isdigit() or not check(value):
            result.error(message, value=raw)
            return ""
        return value

    def _clean(self, row: SheetRow) -> _OrganisationRow | None:
        result = RowResult(line=row.line)
        item = _OrganisationRow(result=result)
        d = item.data
        d["short_name"] = self.text(row, "short_name", result, limit=255)
        result.label = d["short_name"]
        if not d["short_name"] and not row.text("short_name"):
            result.error(errors.REQUIRED_VALUE, column=self.labels["short_name"])
        d["inn"] = self._number(row, "inn", result, is_valid_inn, errors.BAD_INN)
        if normalise(d["short_name"]) == normalise(ORGANISATION_COLUMNS[0].example) and d["inn"] == EXAMPLE_INN:
            self.report.warnings.append(str(errors.EXAMPLE_ROW_SKIPPED % {"line": row.line}))
            return None
        d["full_name"] = self.text(row, "full_name", result, limit=1000)
        kind_text = row.text("kind")
        if kind_text:
            d["kind"] = organisation_kind_from_text(kind_text)
            item.kind_given = True
            if d["kind"] is None:
                result.error(errors.UNKNOWN_ORG_KIND, value=kind_text)
        else:
            d["kind"] = organisation_kind_from_text(d["short_name"]) or organisation_kind_from_text(d["full_name"])
        d["ogrn"] = self._number(row, "ogrn", result, is_valid_ogrn, errors.BAD_OGRN)
        item.territory = self._municipality(row, result)
        d["municipality_given"] = bool(row.text("municipality"))
        d["address"] = self.text(row, "address", result, limit=500)
        d["phone"] = self.text(row, "phone", result, limit=64)
        d["email"] = self.email(row, "email", result)
        website = row.text("website")
        d["website"] = ""
        if website:
            url = website if "://" in website else f"https://{website}"
            try:
                URLValidator()(url)
                d["website"] = url
            except ValidationError:
                result.error(errors.BAD_URL, value=website)
        for name in ORGANISATION_FLAGS:
            if self.table.has(name):
                d[name] = bool(self.flag(row, name, result))
        if self.table.has("innovation_site"):
            raw = row.text("innovation_site")
            key = normalise(raw)
            if key in INNOVATION or raw in {"-", "–", "—"}:
                d["innovation_site"] = INNOVATION.get(key, InnovationSite.NONE)
            else:
                result.error(errors.BAD_INNOVATION_SITE, value=raw)
        return item

    def _check_duplicates(self) -> None:
        for key, message in (("inn", errors.DUPLICATE_INN), ("ogrn", errors.DUPLICATE_OGRN)):
            groups: dict[str, list[_OrganisationRow]] = defaultdict(list)
            for item in self.rows:
                if item.data.get(key):
                    groups[item.data[key]].append(item)
            for value, group in groups.items():
                if len(group) > 1:
                    lines = _lines(i.result.line for i in group)
                    for item in group:
                        item.result.error(message, value=value, lines=lines)
        by_name: dict[tuple, list[_OrganisationRow]] = defaultdict(list)
        for item in self.rows:
            if item.territory is not None and item.data["short_name"]:
                by_name[(item.territory.pk, normalise(item.data["short_name"]))].append(item)
        for group in by_name.values():
            if len(group) > 1:
                lines = _lines(i.result.line for i in group)
                for item in group:
                    item.result.error(errors.DUPLICATE_ORGANISATION, value=item.data["short_name"], lines=lines)

    def _resolve(self) -> None:
        allowed = {t.pk for t in self.municipalities}
        rows = [item for item in self.rows if item.result.ok]
        inns = {item.data["inn"] for item in rows if item.data["inn"]}
        ogrns = {item.data["ogrn"] for item in rows if item.data["ogrn"]}
        by_inn = {o.inn: o for o in Organisation.objects.filter(inn__in=inns)} if inns else {}
        by_ogrn = {o.ogrn: o for o in Organisation.objects.filter(ogrn__in=ogrns)} if ogrns else {}
        by_name: dict[tuple, list[Organisation]] = defaultdict(list)
        for org in Organisation.objects.filter(territory_id__in=allowed).order_by("pk"):
            by_name[(org.territory_id, normalise(org.short_name))].append(org)
        for item in rows:
            d = item.data
            org = by_inn.get(d["inn"]) if d["inn"] else None
            if org is not None and org.territory_id not in allowed:
                item.result.error(errors.ORGANISATION_OUT_OF_SCOPE, value=d["inn"])
                continue
            if org is None and item.territory is not None:
                candidates = by_name.get((item.territory.pk, normalise(d["short_name"])), [])
                if candidates:
                    org = candidates[0]
                    if d["inn"] and org.inn and org.inn != d["inn"]:
                        item.result.error(errors.ORGANISATION_OTHER_INN, value=org.short_name)
                        continue
            if d["ogrn"] and d["ogrn"] in by_ogrn and by_ogrn[d["ogrn"]] != org:
                item.result.error(errors.OGRN_TAKEN, value=d["ogrn"])
                continue
            if org is None and d["kind"] is None:
                item.result.error(errors.ORG_KIND_UNDETERMINED)
                continue
            item.organisation = org
            item.changes = self._changes(item, org)

    def _changes(self, item: _OrganisationRow, org: Organisation | None) -> dict[str, Any]:
        d = item.data
        if org is None:
            values = {
                "territory": item.territory,
                "kind": d["kind"],
                "short_name": d["short_name"],
                "full_name": d["full_name"] or d["short_name"],
            }
            for name in ("inn", "ogrn", "address", "phone", "email", "website", "innovation_site", *ORGANISATION_FLAGS):
                if d.get(name) not in (None, ""):
                    values[name] = d[name]
            return values
        changes: dict[str, Any] = {}
        if d["municipality_given"] and item.territory is not None and org.territory_id != item.territory.pk:
            changes["territory"] = item.territory
        if item.kind_given and d["kind"] != org.kind:
            changes["kind"] = d["kind"]
        for name in ("short_name", "full_name", "ogrn", "address", "phone", "email", "website"):
            if d.get(name) and getattr(org, name) != d[name]:
                changes[name] = d[name]
        if d["inn"] and not org.inn:
            changes["inn"] = d["inn"]
        for name in (*ORGANISATION_FLAGS, "innovation_site"):
            if name in d and getattr(org, name) != d[name]:
                changes[name] = d[name]
        return changes

    def _finish_rows(self) -> None:
        flag_titles = {
            "low_results": "ШНОР",
            "unfavourable_conditions": "неблагоприятные условия",
            "growth_point": "Точка роста",
            "internship_site": "стажировочная площадка",
        }
        for item in self.rows:
            result = item.result
            if not result.ok:
                continue
            org = item.organisation
            if org is None:
                result.status = STATUS_NEW
            else:
                result.status = STATUS_UPDATED if item.changes else STATUS_UNCHANGED
            d = item.data
            kind = d["kind"] if (item.kind_given or org is None) else org.kind
            flags = [title for name, title in flag_titles.items() if d.get(name)]
            if d.get("innovation_site"):
                flags.append(str(InnovationSite(d["innovation_site"]).label).split(" —")[0])
            territory = item.territory or (org.territory if org else None)
            result.cells = [
                d["short_name"],
                str(OrganisationKind(kind).label) if kind else "",
                d["inn"],
                d["ogrn"],
                territory.name if territory else "",
                ", ".join(flags),
            ]

    def check(self) -> ImportReport:
        if not self.read():
            return self.report
        assert self.table is not None
        for row in self.table.rows:
            item = self._clean(row)
            if item is not None:
                self.rows.append(item)
        self._check_duplicates()
        self._resolve()
        self._finish_rows()
        self.report.rows = [item.result for item in self.rows]
        if not self.report.rows:
            self.report.file_errors.append(str(errors.NO_ROWS))
        return self.report

    def write(self) -> None:
        for item in self.rows:
            if not item.result.ok:
                continue
            if item.organisation is None:
                item.organisation = Organisation.objects.create(**item.changes)
            elif item.changes:
                for name, value in item.changes.items():
                    setattr(item.organisation, name, value)
                item.organisation.save(update_fields=[*item.changes, "updated_at"])


# --- Public functions --------------------------------------------------------------------------------


def staff_import_check(
    *, organisation: Organisation, content: bytes, filename: str, today: datetime.date | None = None
) -> ImportReport:
    """Check a staff list for ``organisation`` without writing anything."""
    return _StaffImport(organisation=organisation, content=content, filename=filename, today=today).check()


def organisations_import_check(
    *, user, content: bytes, filename: str, today: datetime.date | None = None
) -> ImportReport:
    """Check an organisation list for the municipalities ``user`` may load into, without writing anything."""
    return _OrganisationImport(user=user, content=content, filename=filename, today=today).check()


def _apply(importer: _StaffImport | _OrganisationImport, *, only_valid: bool) -> ImportReport:
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


def staff_import_apply(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str,
    only_valid: bool = False,
    today: datetime.date | None = None,
) -> ImportReport:
    """Load a staff list into ``organisation`` in one transaction.

    Nothing is written when the file has errors, unless ``only_valid`` — then the correct rows are loaded.
    Raises :class:`ImportRejected` when nothing may be written.
    """
    importer = _StaffImport(organisation=organisation, content=content, filename=filename, today=today)
    return _apply(importer, only_valid=only_valid)


def organisations_import_apply(
    *, user, content: bytes, filename: str, only_valid: bool = False, today: datetime.date | None = None
) -> ImportReport:
    """Load an organisation list into the municipalities ``user`` may load into, in one transaction."""
    importer = _OrganisationImport(user=user, content=content, filename=filename, today=today)
    return _apply(importer, only_valid=only_valid)


def _store(batch: ImportBatch, report: ImportReport) -> None:
    counts = report.counts()
    batch.report = report.to_json()
    batch.rows_total = counts["total"]
    batch.rows_valid = counts["valid"]
    batch.rows_invalid = counts["invalid"]
    batch.rows_new = counts["new"]
    batch.rows_updated = counts["updated"]
    batch.rows_unchanged = counts["unchanged"]


def _read_batch_file(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def import_batch_create(
    *, user, kind: str, content: bytes, filename: str, organisation: Organisation | None = None
) -> ImportBatch:
    """Keep the uploaded file, check it and store the result for the preview page."""
    batch = ImportBatch(
        kind=kind,
        organisation=organisation if kind == ImportKind.STAFF else None,
        original_filename=PurePath(filename).name[:255],
        created_by=user,
    )
    extension = PurePath(filename).suffix.lower()[:10]
    batch.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    if kind == ImportKind.STAFF:
        if organisation is None:
            raise ValueError("A staff list is loaded into an organisation")
        report = staff_import_check(organisation=organisation, content=content, filename=filename)
    else:
        report = organisations_import_check(user=user, content=content, filename=filename)
    _store(batch, report)
    batch.status = ImportStatus.FAILED if report.file_errors else ImportStatus.VALIDATED
    batch.save()
    return batch


def import_batch_apply(*, batch: ImportBatch, user, only_valid: bool = False) -> ImportReport:
    """Load a checked file, re-checking it against the register as it is now.

    Raises :class:`ImportRejected` if it may not be loaded; the batch then keeps the fresh check.
    """
    rejected: ImportRejected | None = None
    report = ImportReport(kind=batch.kind)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=batch.pk)
        if locked.status == ImportStatus.APPLIED:
            rejected = ImportRejected(errors.ALREADY_APPLIED, report)
        elif locked.status != ImportStatus.VALIDATED or (locked.kind == ImportKind.STAFF and not locked.organisation):
            rejected = ImportRejected(errors.FILE_NOT_LOADABLE, report)
        else:
            rejected, report = _apply_locked(locked, user=user, only_valid=only_valid)
    batch.refresh_from_db()
    if rejected is not None:
        raise rejected
    return report


def _apply_locked(batch: ImportBatch, *, user, only_valid: bool) -> tuple[ImportRejected | None, ImportReport]:
    content = _read_batch_file(batch)
    had_errors = batch.rows_invalid > 0
    try:
        if batch.kind == ImportKind.STAFF:
            report = staff_import_apply(
                organisation=batch.organisation,
                content=content,
                filename=batch.original_filename,
                only_valid=only_valid,
            )
        else:
            report = organisations_import_apply(
                user=user, content=content, filename=batch.original_filename, only_valid=only_valid
            )
    except ImportRejected as exc:
        _store(batch, exc.report)
        if exc.report.file_errors:
            batch.status = ImportStatus.FAILED
        batch.save()
        if exc.report.invalid_rows and not had_errors and not only_valid:
            return ImportRejected(errors.DATA_CHANGED, exc.report), exc.report
        return exc, exc.report
    except IntegrityError:  # somebody saved the same person or organisation meanwhile
        report = ImportReport(kind=batch.kind)
        return ImportRejected(errors.DATA_CHANGED, report), report
    _store(batch, report)
    batch.status = ImportStatus.APPLIED
    batch.only_valid_rows = bool(report.invalid_rows)
    batch.applied_at = timezone.now()
    batch.save()
    return None, report
