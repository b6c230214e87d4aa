"""Checking and loading staff lists (списки сотрудников) of one organisation."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from metodist.registry.choices import EmploymentKind, PositionGroup, QualificationCategory
from metodist.registry.models import Employment, Organisation, Person, Position, Subject, full_years_between
from metodist.registry.validators import is_valid_snils, normalise_snils

from .. import errors, progress
from ..columns import EXAMPLE_SNILS, STAFF_COLUMNS
from ..limits import STAFF_LIMITS
from ..models import ImportKind
from ..parsing import ParsedTable, SheetRow, cell_text, digits, normalise, parse_grades, split_list
from ..vocabulary import CATEGORY_ALLOWED, CATEGORY_NAMES, EMPLOYMENT_KINDS, GENDERS, POSITION_ALIASES, SUBJECT_ALIASES
from .base import (
    STATUS_NEW,
    STATUS_UNCHANGED,
    STATUS_UPDATED,
    ImportReport,
    RowResult,
    _apply,
    _BaseImport,
    _fmt,
    _lines,
    _suggest,
    grades_text,
)

MIN_AGE = 18
MAX_AGE = 100
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
    limits = STAFF_LIMITS

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

    def _check_rows(self) -> None:
        self._load_reference()
        self._clean_rows()
        self._assign_keys()
        self._check_duplicates()
        self._check_conflicts()
        self._resolve_people()
        self._plan_employments()
        self._plan_people()

    def write(self) -> None:
        total = len(self.plans) + len(self.rows)
        for done, plan in enumerate(self.plans.values(), start=1):
            progress.report(progress.WRITING, done, total)
            if not any(r.result.ok for r in plan.rows):
                continue
            if plan.person is None:
                values = {k: v for k, v in plan.values.items() if v not in (None, "")}
                plan.person = Person.objects.create(**values)
            elif plan.changes:
                for name, value in plan.changes.items():
                    setattr(plan.person, name, value)
                plan.person.save(update_fields=[*plan.changes, "updated_at"])
        for done, item in enumerate(self.rows, start=len(self.plans) + 1):
            progress.report(progress.WRITING, done, total)
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


def staff_import_check(
    *, organisation: Organisation, content: bytes, filename: str, today: datetime.date | None = None
) -> ImportReport:
    """Check a staff list for ``organisation`` without writing anything."""
    return _StaffImport(organisation=organisation, content=content, filename=filename, today=today).check()


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
