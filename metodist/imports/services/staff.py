"""Checking and loading staff lists (списки сотрудников) of one organisation."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.choices import EmploymentKind, MatchRequestSource, PositionGroup, QualificationCategory
from metodist.registry.grades import parse_grades
from metodist.registry.models import Employment, Organisation, Person, Position, Subject
from metodist.registry.services import name_matches, names_agree, person_create_with_employment
from metodist.registry.validators import is_valid_snils, normalise_snils, person_date_errors

from .. import errors, progress
from ..columns import EXAMPLE_SNILS, STAFF_COLUMNS
from ..limits import STAFF_LIMITS
from ..models import ImportKind
from ..parsing import (
    MAX_EXPERIENCE_YEARS,
    ParsedTable,
    SheetRow,
    cell_text,
    digits,
    normalise,
    parse_years,
    split_list,
)
from ..vocabulary import (
    CATEGORY_ALLOWED,
    CATEGORY_NAMES,
    EMPLOYMENT_KINDS,
    GENDERS,
    POSITION_ALIASES,
    POSITION_QUALIFIERS,
    SUBJECT_ALIASES,
    SUBJECT_GENITIVES,
    genitive,
)
from .base import (
    STATUS_NEW,
    STATUS_PENDING,
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

WORKING_AGE = 16  # no date of a working life is earlier
_SHORT_NUMBER = re.compile(r"^\d{1,2}(?:[.,]\d{1,2})?$")  # «12», «12,5», «12.5»: years, never a date
_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|^\d{4}$|\d{4}-\d{1,2}-\d{1,2}")
# Positions whose name is followed by the subject taught: «учитель математики», «преподаватель истории».
SUBJECT_POSITIONS = {"учитель", "преподаватель", "педагог дополнительного образования"}
# A row whose person is not in the uploader's scope — whether or not such a person exists anywhere — waits for
# a methodologist's confirmation (metodist.registry.models.PersonMatchRequest); the answer is the same either way.
PENDING_PEOPLE = _(
    "Работников, которых нет среди сотрудников в вашей зоне доступа: %(count)s (строки %(lines)s). После загрузки "
    "они будут переданы на подтверждение методисту и появятся в списке организации, когда он подтвердит заявку."
)
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
    pending: bool = False  # not in the uploader's scope: a request for a methodologist
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
    submitted: bool = False  # written with its person by the service (a new person's first places of work)


class _StaffImport(_BaseImport):
    kind = ImportKind.STAFF
    columns = STAFF_COLUMNS
    limits = STAFF_LIMITS

    def __init__(self, *, organisation: Organisation, actor=None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.organisation = organisation
        self.actor = actor  # whose scope people are matched in; without one, nobody is
        # The preview shows every value that will be written (an empty cell changes nothing).
        self.report.columns = [
            "ФИО",
            "Дата рождения",
            "СНИЛС",
            "Пол",
            "Должность",
            "Предметы",
            "Классы",
            "Пед. стаж с",
            "В организации с",
            "Категория",
            "Руководитель",
            "Совместительство",
            "Контакты",
            "Образование",
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
        # «учитель математики»: the subjects in the genitive, as they follow a position's name.
        self.subject_genitives = {genitive(s.name): s for s in subjects}
        for alias, subject in list(self.subjects.items()):
            self.subject_genitives.setdefault(genitive(alias), subject)
        for wording, name in SUBJECT_GENITIVES.items():
            if normalise(name) in self.subjects:
                self.subject_genitives[normalise(wording)] = self.subjects[normalise(name)]

    def _subjects_in_wording(self, text: str) -> list[Subject] | None:
        """«математики», «русского языка и литературы» → the subjects; ``None`` when one is not known."""
        if text in self.subject_genitives:
            return [self.subject_genitives[text]]
        found: list[Subject] = []
        for part in (p.strip() for chunk in text.split(" и ") for p in chunk.split(",")):
            if not part:
                continue
            subject = self.subject_genitives.get(part) or self.subjects.get(part)
            if subject is None:
                return None
            if subject not in found:
                found.append(subject)
        return found or None

    def _position_and_subjects(self, value: str) -> tuple[Position | None, list[Subject]]:
        """A position as schools write it: «учитель начальных классов» → Учитель and «Начальные классы»,
        «зам. директора по УВР» → Заместитель директора, «воспитатель ГПД» → Воспитатель."""
        position = self._find_position(value)
        if position is not None:
            return position, []
        key = normalise(value)
        heads = [name for name in self.positions if key.startswith(f"{name} ")]
        if not heads:
            return None, []
        head = max(heads, key=len)
        rest = key[len(head) :].strip()
        position = self.positions[head]
        if rest in POSITION_QUALIFIERS:
            return position, []
        subjects = self._subjects_in_wording(rest) if head in SUBJECT_POSITIONS else None
        if subjects:
            return position, subjects
        if head in SUBJECT_POSITIONS or rest.split()[0] in {"школы", "гпд", "группы", "детского"}:
            return position, []  # «учитель ремёсел»: the position is clear, the subject is not ours to guess
        return None, []

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

    # Experience: a start date, a year, or a number of years counted back from the reference date ---------

    def _experience_start(self, row: SheetRow, result: RowResult) -> datetime.date | None:
        """The start of pedagogical experience from whichever column the file has.

        «Пед. стаж с» holds a date (or a year: 1 September of it); «Педагогический стаж (лет)», «Стаж, лет»
        hold years («12», «12 лет 3 мес.»), counted back from the reference date; «Общий стаж» is used only
        without a pedagogical one. A column of years holding dates, or a column of dates holding small
        numbers, is read by what it holds.
        """
        for key in ("experience_start", "experience_years", "total_experience_years"):
            raw = row.get(key)
            if not cell_text(raw):
                continue
            if self._looks_like_years(raw, key):
                return self._start_from_years(raw, key, result)
            value = self.date(row, key, result, year_means_september=True)
            if key in result.notes:  # the preview shows the note beside the start of experience
                result.notes["experience_start"] = result.notes.pop(key)
            return value
        return None

    @staticmethod
    def _looks_like_years(raw: Any, key: str) -> bool:
        """Whether a stage cell holds a length of service (12, «12,5», «12 лет») rather than a date or a year."""
        if isinstance(raw, datetime.date):
            return False
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return 0 <= raw <= MAX_EXPERIENCE_YEARS
        text = cell_text(raw).lower()
        if any(word in text for word in ("лет", "год", "мес")) or _SHORT_NUMBER.match(text):
            return True
        # In a column of years, anything but a date or a year is an attempt at a number of years.
        return key != "experience_start" and not _DATE_LIKE.search(text)

    def _start_from_years(self, raw: Any, key: str, result: RowResult) -> datetime.date | None:
        try:
            parsed = parse_years(raw)
        except ValueError:
            result.error(errors.BAD_EXPERIENCE, column=self.labels[key], value=cell_text(raw))
            return None
        if parsed is None:
            return None
        years, months = parsed
        reference = self.reference_date
        total = reference.year * 12 + reference.month - 1 - years * 12 - months
        year, month = divmod(total, 12)
        day = min(reference.day, calendar.monthrange(year, month + 1)[1])
        start = datetime.date(year, month + 1, day)
        self.used_reference_date = True
        result.notes["experience_start"] = str(
            errors.EXPERIENCE_FROM_YEARS % {"value": cell_text(raw), "date": _fmt(reference)}
        )
        return start

    def _check_working_age(self, birth: datetime.date, d: dict[str, Any], result: RowResult) -> None:
        """No date of a working life is before the person was 16 (a start of experience at 4 is a typo)."""
        try:
            sixteen = birth.replace(year=birth.year + WORKING_AGE)
        except ValueError:  # 29 February
            sixteen = datetime.date(birth.year + WORKING_AGE, 3, 1)
        columns = self.table.columns if self.table is not None else {}
        for key in ("experience_start", "start_date", "category_assigned_on"):
            value = d.get(key)
            if value is not None and value < sixteen:
                column = self.labels.get(key, key)
                if key == "experience_start" and "experience_start" not in columns:
                    column = next(
                        (self.labels[k] for k in ("experience_years", "total_experience_years") if k in columns),
                        column,
                    )
                result.error(errors.DATE_BEFORE_16, column=column, value=_fmt(value))
                d[key] = None

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

        birth = self.date(row, "birth_date", result, future_ok=True, earliest=None)
        if birth is not None:  # the registry's rule: 18 to 100 years old, not born in the future
            problem = person_date_errors(birth_date=birth, experience_start=None, today=self.today).get("birth_date")
            if problem is not None:
                result.error(problem.message, **(problem.params or {}))
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
        position_subjects: list[Subject] = []
        if not position:
            result.error(errors.REQUIRED_VALUE, column=self.labels["position"])
        else:
            item.position, position_subjects = self._position_and_subjects(position)
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
        elif position_subjects:
            item.subjects = position_subjects  # «учитель математики» names the subject

        raw_grades = row.get("grades")
        try:
            d["grades"] = parse_grades(raw_grades)
        except ValueError:
            result.error(errors.BAD_GRADES, value=cell_text(raw_grades))
            d["grades"] = None

        d["experience_start"] = self._experience_start(row, result)
        d["start_date"] = self.date(row, "start_date", result, year_means_september=True)

        category = row.text("category")
        d["category"] = None
        if category:
            if normalise(category) in CATEGORY_NAMES:
                d["category"] = CATEGORY_NAMES[normalise(category)]
            else:
                result.error(errors.UNKNOWN_CATEGORY, value=category, allowed=CATEGORY_ALLOWED)
        d["category_assigned_on"] = self.date(row, "category_assigned_on", result)
        if birth is not None:
            self._check_working_age(birth, d, result)

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

    def _check_person_rules(self) -> None:
        """The registry's own rules for a person's dates (metodist.registry.validators), as the forms and the API.

        Rows the file's own checks already refused keep their messages (said once, with the column's name).
        """
        for item in self.rows:
            if not item.result.ok:
                continue
            found = person_date_errors(
                birth_date=item.data.get("birth_date"),
                experience_start=item.data.get("experience_start"),
                today=self.today,
            )
            for error in found.values():
                item.result.error(error.message, **(error.params or {}))

    def _resolve_people(self) -> None:
        """Find each row's person among the people the uploader sees (IMPORT scope), never elsewhere.

        A row whose person is not found there waits for a methodologist (``plan.pending``) — whether or not such
        a person exists outside the scope: the same lookups run and the same answer comes back either way.
        """
        keys = {item.key for item in self.rows if item.key is not None and item.result.ok}
        snils_values = {k[1] for k in keys if k[0] == "snils"}
        births = {item.name_key[3] for item in self.rows if item.key in keys and item.name_key[3] is not None}
        visible = Person.objects.visible_to(self.actor, Action.IMPORT)
        by_snils = {p.snils: p for p in visible.filter(snils__in=snils_values)}
        # A СНИЛС used anywhere may not be given to a visible person found by name: that row waits as well.
        self.snils_in_use = set(Person.objects.filter(snils__in=snils_values).values_list("snils", flat=True))
        by_birth: dict[datetime.date, list[Person]] = defaultdict(list)
        for person in visible.filter(birth_date__in=births):
            by_birth[person.birth_date].append(person)
        may_create = scope_for(self.actor, Action.IMPORT).is_global

        for item in self.rows:
            if item.key is None or not item.result.ok:
                continue
            plan = self.plans.get(item.key)
            if plan is None:
                plan = self.plans[item.key] = _PersonPlan(key=item.key)
                self._find_person(plan, item, by_snils, by_birth)
                plan.pending = plan.person is None and not plan.error and not may_create
            plan.rows.append(item)
            item.plan = plan

    def _find_person(self, plan: _PersonPlan, item: _StaffRow, by_snils, by_birth) -> None:
        """The strict rule of metodist.registry.services: a СНИЛС match needs surname AND first name to agree;
        a name match needs surname, first name and birth date."""
        d = item.data
        snils = d["snils"] or (plan.key[1] if plan.key[0] == "snils" else "")
        if snils and snils in by_snils:
            person = by_snils[snils]
            if not names_agree(person, last_name=d["last_name"], first_name=d["first_name"]):
                plan.error = str(errors.SNILS_OTHER_PERSON % {"value": snils})
                return
            plan.person = person
            plan.matched_by_snils = True
            return
        if snils and snils in self.snils_in_use:
            return  # someone the uploader does not see: a request, like an unknown person
        birth = item.name_key[3]
        if birth is None:
            return
        candidates = [
            person
            for person in by_birth.get(birth, [])
            if name_matches(
                person,
                last_name=d["last_name"],
                first_name=d["first_name"],
                patronymic=d["patronymic"],
                birth_date=birth,
                snils=snils,
            )
        ]
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
            if plan.pending:
                result.status = STATUS_PENDING
            elif item.employment is None:
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
                {"f": "ж", "m": "м"}.get(d.get("gender") or "", ""),
                item.position.name,
                ", ".join(s.name for s in subjects or []),
                grades_text(grades),
                self._date_cell(result, "experience_start", d.get("experience_start")),
                self._date_cell(result, "start_date", self._employment_value(item, "start_date")),
                self._category_cell(item, category),
                _yes_no(self._employment_value(item, "is_manager")),
                self._kind_cell(self._employment_value(item, "kind")),
                ", ".join(v for v in (d.get("email"), d.get("phone")) if v),
                d.get("education") or "",
            ]

    @staticmethod
    def _employment_value(item: _StaffRow, name: str) -> Any:
        if name in item.employment_values:
            return item.employment_values[name]
        return getattr(item.employment, name, None) if item.employment is not None else None

    @staticmethod
    def _date_cell(result: RowResult, key: str, value: datetime.date | None) -> str:
        if value is None:
            return ""
        note = result.notes.get(key)
        return f"{_fmt(value)} ({note})" if note else _fmt(value)

    def _category_cell(self, item: _StaffRow, category: str | None) -> str:
        if not category:
            return ""
        label = str(QualificationCategory(category).label)
        assigned = self._employment_value(item, "category_assigned_on")
        return f"{label}, {_fmt(assigned)}" if assigned else label

    @staticmethod
    def _kind_cell(kind: str | None) -> str:
        return str(EmploymentKind(kind).label) if kind else ""

    def _check_rows(self) -> None:
        self._load_reference()
        self._clean_rows()
        self._check_person_rules()
        self._assign_keys()
        self._check_duplicates()
        self._check_conflicts()
        self._resolve_people()
        self._plan_employments()
        self._plan_people()
        pending = [item.result.line for item in self.rows if item.result.ok and item.plan and item.plan.pending]
        if pending:
            lines = ", ".join(str(line) for line in pending)
            people = len({id(item.plan) for item in self.rows if item.result.line in pending and item.plan})
            self.report.warnings.append(str(PENDING_PEOPLE % {"count": people, "lines": lines}))

    def _submit(self, plan: _PersonPlan) -> None:
        """A person the uploader may not match or create alone, with their places of work in this organisation,
        through the registry's one write path: created for an administrator, else a request to confirm."""
        rows = [item for item in plan.rows if item.result.ok]
        values = {k: v for k, v in plan.values.items() if v not in (None, "")}
        employments = [
            {
                "organisation": self.organisation,
                "position": item.position,
                "subjects": item.subjects or [],
                **item.employment_values,
            }
            for item in rows
        ]
        result = person_create_with_employment(
            actor=self.actor,
            action=Action.IMPORT,
            person_values=values,
            employment_values=employments[0],
            more_employment_values=employments[1:],
            source=MatchRequestSource.IMPORT,
            source_label=f"{self.filename}, строки {', '.join(str(item.result.line) for item in rows)}",
        )
        plan.person = result.person
        for item in rows:
            item.submitted = True

    def write(self) -> None:
        total = len(self.plans) + len(self.rows)
        for done, plan in enumerate(self.plans.values(), start=1):
            progress.report(progress.WRITING, done, total)
            if not any(r.result.ok for r in plan.rows):
                continue
            if plan.person is None:
                self._submit(plan)
            elif plan.changes:
                for name, value in plan.changes.items():
                    setattr(plan.person, name, value)
                plan.person.save(update_fields=[*plan.changes, "updated_at"])
        for done, item in enumerate(self.rows, start=len(self.plans) + 1):
            progress.report(progress.WRITING, done, total)
            if not item.result.ok or item.submitted:
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


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "да" if value else "нет"


def staff_import_check(
    *,
    organisation: Organisation,
    actor=None,
    content: bytes,
    filename: str,
    today: datetime.date | None = None,
    reference_date: datetime.date | None = None,
) -> ImportReport:
    """Check a staff list for ``organisation`` without writing anything.

    People are matched in ``actor``'s IMPORT scope only; a row whose person is not there — whether or not
    they exist elsewhere — is reported as waiting for a methodologist's confirmation.

    ``reference_date`` is the date the list was drawn up on: experience given in years is counted back
    from it (today when not given); the report says which date was used.
    """
    return _StaffImport(
        organisation=organisation,
        actor=actor,
        content=content,
        filename=filename,
        today=today,
        reference_date=reference_date,
    ).check()


def staff_import_apply(
    *,
    organisation: Organisation,
    actor=None,
    content: bytes,
    filename: str,
    only_valid: bool = False,
    today: datetime.date | None = None,
    reference_date: datetime.date | None = None,
) -> ImportReport:
    """Load a staff list into ``organisation`` in one transaction.

    Nothing is written when the file has errors, unless ``only_valid`` — then the correct rows are loaded.
    Raises :class:`ImportRejected` when nothing may be written.
    """
    importer = _StaffImport(
        organisation=organisation,
        actor=actor,
        content=content,
        filename=filename,
        today=today,
        reference_date=reference_date,
    )
    return _apply(importer, only_valid=only_valid)
