"""The demo municipality: a reproducible, realistic region with one municipality and its people.

Generation is split into parts that share a :class:`DemoContext` (the random generator, «today» and
everything created so far):

- :func:`build_territories` — the region «Энская область» and «Светлогорский муниципальный округ»;
- :func:`build_organisations` — 20 organisations: schools of every size, kindergartens, additional
  education, the methodological centre;
- :func:`build_people` — pedagogical workers with employments, categories, courses, awards, statuses;
- :func:`build_classes` — classes of the current academic year and who teaches what in them;
- :func:`build_users` — one user of every role.

A capability that adds models adds its own ``build_*`` part and calls it from :func:`generate_demo`.
The parts that plan staff and classes work for any list of :class:`OrgPlan`; the region-scale
benchmark (``bench/generate.py``) reuses them with its own territories and organisations.

Everything random comes from ``ctx.rng`` (``random.Random(seed)``) and is iterated in list order, so
the same seed gives the same people; dates are counted back from ``timezone.localdate()``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from metodist.accounts.choices import ROLE_SCOPE_KIND, Role, ScopeKind
from metodist.accounts.models import RoleAssignment, User
from metodist.registry import models as registry
from metodist.registry.choices import (
    AwardLevel,
    CourseFormat,
    EmploymentKind,
    Gender,
    InnovationSite,
    OrganisationKind,
    PersonStatusKind,
    QualificationCategory,
    TerritoryKind,
)
from metodist.registry.querysets import years_before
from metodist.registry.validators import is_valid_snils, normalise_snils

from . import data
from .data import (
    AGE_BANDS,
    AREA_PROGRAMMES,
    AWARDS_MUNICIPAL,
    AWARDS_REGIONAL,
    COLLEGES,
    COURSE_PROVIDERS,
    FATHER_NAMES,
    FEMALE_FIRST_NAMES,
    GENERAL_PROGRAMMES,
    KINDERGARTEN_NAMES,
    MALE_FIRST_NAMES,
    METHODIST_AREAS,
    MUNICIPALITY_ADJECTIVES,
    PATRONYMICS,
    STREETS,
    SURNAMES,
    TRANSLIT,
    UNIVERSITIES,
    VILLAGES,
)

__all__ = [  # what the benchmark generator (bench/generate.py) reuses
    "AGE_BANDS",
    "BATCH_SIZE",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "KINDERGARTEN_NAMES",
    "MUNICIPALITY_ADJECTIVES",
    "STREETS",
    "VILLAGES",
    "DemoContext",
    "OrgPlan",
    "build_classes",
    "build_people",
    "generate_demo",
    "genitive_adjective",
    "make_organisation",
    "random_full_name",
    "school_classes",
    "translit",
]

DEFAULT_SEED = 20_250_901
DEMO_PASSWORD = "demo12345"
REGION_NAME = "Энская область"
REGION_GENITIVE = "Энской области"
MUNICIPALITY_NAME = "Светлогорский муниципальный округ"
MUNICIPALITY_GENITIVE = "Светлогорского муниципального округа"
TOWN = "г. Светлогорск"
REGION_CODE = "98"  # fictional: the first digits of the demo ИНН and ОГРН
BATCH_SIZE = 1000

CLASS_LETTERS = "АБВГДЕЖИК"

# ---------------------------------------------------------------------------------------------
# Small helpers: names, identifiers, dates
# ---------------------------------------------------------------------------------------------


def feminine_surname(surname: str) -> str:
    """«Иванов» → «Иванова», «Дубровский» → «Дубровская»; «Черных», «Шевченко» do not change."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    if surname.endswith(("ой", "ый")):
        return surname[:-2] + "ая"
    return surname


def genitive_adjective(adjective: str) -> str:
    """«Берёзовский» → «Берёзовского», «Лесной» → «Лесного»."""
    return adjective[:-2] + "ого"


def generation(birth_year: int) -> str:
    if birth_year < 1970:
        return "old"
    if birth_year < 1985:
        return "mid"
    return "young"


def random_full_name(rng: random.Random, gender: str, birth_year: int) -> tuple[str, str, str]:
    """(фамилия, имя, отчество) of a person of ``gender`` born in ``birth_year``."""
    era = generation(birth_year)
    surname = rng.choice(SURNAMES)
    father = rng.choice(FATHER_NAMES[era])
    if gender == Gender.MALE:
        return surname, rng.choice(MALE_FIRST_NAMES[era]), PATRONYMICS[father][0]
    return feminine_surname(surname), rng.choice(FEMALE_FIRST_NAMES[era]), PATRONYMICS[father][1]


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(c, c) for c in text.lower())


def inn_with_checksum(first9: str) -> str:
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return first9 + str(sum(w * int(c) for w, c in zip(weights, first9, strict=True)) % 11 % 10)


def ogrn_with_checksum(first12: str) -> str:
    return first12 + str(int(first12) % 11 % 10)


def snils_with_checksum(number: str) -> str:
    total = sum(int(c) * (9 - i) for i, c in enumerate(number))
    control = total if total < 100 else 0 if total in (100, 101) else total % 101 % 100
    return normalise_snils(f"{number}{control:02d}")


def add_years(day: datetime.date, years: int) -> datetime.date:
    return years_before(day, -years)


def days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=int(n))


def academic_year_start(today: datetime.date) -> int:
    """The year the current academic year began (1 September)."""
    return today.year if today.month >= 9 else today.year - 1


def random_age(rng: random.Random, low: int = 22, high: int = 68) -> int:
    bands = [(a, b, w) for a, b, w in AGE_BANDS if b >= low and a <= high]
    a, b, _ = rng.choices(bands, weights=[w for _, _, w in bands])[0]
    return rng.randint(max(a, low), min(b, high))


def weighted(rng: random.Random, options: dict):
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def phone_number(rng: random.Random, mobile: bool = True) -> str:
    if mobile:
        return f"+7 ({rng.choice(['900', '902', '904', '908', '910', '915', '920', '950', '951', '960', '980'])}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"  # noqa: E501
    return f"+7 (48145) {rng.randint(2, 7)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


# ---------------------------------------------------------------------------------------------
# The context and the plans of organisations
# ---------------------------------------------------------------------------------------------


@dataclass
class OrgPlan:
    """An organisation and what to generate in it.

    ``classes`` has the number of classes in each grade 1–11 (zeros where the school has none);
    ``staff`` is the number of people whose main job is here; ``young_min`` how many of them are
    at least young teachers (under 35, experience under 3 years).
    """

    organisation: registry.Organisation
    profile: str
    staff: int
    classes: list[int] = field(default_factory=lambda: [0] * 11)
    rural: bool = False
    young_min: int = 0
    key: str = ""
    members: list[StaffMember] = field(default_factory=list)

    @property
    def max_grade(self) -> int:
        return max((g for g, n in enumerate(self.classes, start=1) if n), default=0)

    @property
    def is_school(self) -> bool:
        return self.organisation.kind == OrganisationKind.SCHOOL


@dataclass
class Slot:
    """One job to fill in an organisation."""

    key: str
    position: str
    subjects: list[str] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    is_manager: bool = False
    male_share: float = 0.1
    areas: tuple[str, ...] = ("school",)
    min_age: int = 22
    max_age: int = 68
    group: str = ""
    internal: Slot | None = None  # a teaching job held in the same organisation (внутреннее совместительство)
    young: bool = False


@dataclass
class StaffMember:
    person: registry.Person
    plan: OrgPlan
    slot: Slot
    employments: list[registry.Employment] = field(default_factory=list)
    employment_subjects: list[list[str]] = field(default_factory=list)
    courses: list[registry.CourseCompletion] = field(default_factory=list)
    awards: list[registry.Award] = field(default_factory=list)
    statuses: list[registry.PersonStatus] = field(default_factory=list)
    load: float = 0.0  # teaching hours per week assigned by build_classes

    @property
    def main(self) -> registry.Employment:
        return self.employments[0]

    def experience(self, today: datetime.date) -> int:
        return self.person.experience_years(today) or 0


@dataclass
class DemoContext:
    rng: random.Random
    today: datetime.date
    seed: int = DEFAULT_SEED
    region: registry.Territory | None = None
    municipalities: list[registry.Territory] = field(default_factory=list)
    plans: list[OrgPlan] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)
    classes: list[registry.SchoolClass] = field(default_factory=list)
    assignments: list[registry.TeachingAssignment] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    positions: dict[str, registry.Position] = field(default_factory=dict)
    subjects: dict[str, registry.Subject] = field(default_factory=dict)
    used_inn: set[str] = field(default_factory=set)
    used_ogrn: set[str] = field(default_factory=set)
    used_snils: set[str] = field(default_factory=set)
    used_emails: set[str] = field(default_factory=set)
    region_code: str = REGION_CODE
    part_time_share: float = 0.3
    previous_job_share: float = 0.03

    @classmethod
    def create(cls, seed: int = DEFAULT_SEED, today: datetime.date | None = None, **kwargs) -> DemoContext:
        ctx = cls(rng=random.Random(seed), today=today or timezone.localdate(), seed=seed, **kwargs)
        ctx.load_reference_data()
        return ctx

    @property
    def municipality(self) -> registry.Territory:
        return self.municipalities[0]

    def load_reference_data(self) -> None:
        self.positions = {p.name: p for p in registry.Position.objects.all()}
        self.subjects = {s.name: s for s in registry.Subject.objects.all()}
        missing = [name for name in REQUIRED_POSITIONS if name not in self.positions]
        missing += [name for name in REQUIRED_SUBJECTS if name not in self.subjects]
        if missing:
            raise LookupError(f"Справочники не загружены (нет: {', '.join(missing)}). Выполните migrate.")
        self.used_inn = set(registry.Organisation.objects.exclude(inn="").values_list("inn", flat=True))
        self.used_ogrn = set(registry.Organisation.objects.exclude(ogrn="").values_list("ogrn", flat=True))
        self.used_snils = set(registry.Person.objects.exclude(snils="").values_list("snils", flat=True))

    def plan(self, key: str) -> OrgPlan:
        return next(p for p in self.plans if p.key == key)

    # Identifiers that must be unique in the database.
    def new_inn(self) -> str:
        while True:
            value = inn_with_checksum(
                f"{self.region_code}{self.rng.randint(1, 99):02d}{self.rng.randint(0, 99999):05d}"
            )
            if value not in self.used_inn:
                self.used_inn.add(value)
                return value

    def new_ogrn(self) -> str:
        while True:
            year = self.rng.choice(["02", "03", "05", "08", "11", "12", "15"])
            first12 = f"1{year}{self.region_code}{self.rng.randint(1, 99):02d}{self.rng.randint(0, 99999):05d}"
            value = ogrn_with_checksum(first12)
            if value not in self.used_ogrn:
                self.used_ogrn.add(value)
                return value

    def new_snils(self) -> str:
        while True:
            value = snils_with_checksum(f"{self.rng.randint(2_000_000, 199_999_999):09d}")
            if value not in self.used_snils and is_valid_snils(value):
                self.used_snils.add(value)
                return value

    def new_email(self, last_name: str, first_name: str, patronymic: str) -> str:
        base = f"{translit(last_name)}.{translit(first_name)[0]}{translit(patronymic)[:1]}"
        domain = self.rng.choice(["mail.example", "post.example", "inbox.example"])
        email, n = f"{base}@{domain}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{domain}"
        self.used_emails.add(email)
        return email


# ---------------------------------------------------------------------------------------------
# Subjects, curriculum and staff plans
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectGroup:
    """Subjects one teacher usually teaches, the grades they are taught in, and who teaches them.

    ``weight`` is the group's share of teachers where no curriculum tells (college lecturers).
    """

    key: str
    subjects: tuple[str, ...]
    low: int
    high: int
    weight: float
    male_share: float
    area: str
    position: str = "Учитель"


SUBJECT_GROUPS: list[SubjectGroup] = [
    SubjectGroup("russian", ("Русский язык", "Литература"), 5, 11, 6.0, 0.03, "russian"),
    SubjectGroup(
        "maths", ("Математика", "Алгебра", "Геометрия", "Вероятность и статистика"), 5, 11, 6.0, 0.12, "maths"
    ),
    SubjectGroup("english", ("Английский язык",), 2, 11, 4.0, 0.05, "english"),
    SubjectGroup("history", ("История", "Обществознание", "ОДНКНР"), 5, 11, 3.0, 0.3, "history"),
    SubjectGroup("pe", ("Физическая культура",), 1, 11, 2.5, 0.55, "pe"),
    SubjectGroup("physics", ("Физика",), 7, 11, 1.3, 0.35, "science"),
    SubjectGroup("biology", ("Биология",), 5, 11, 1.3, 0.08, "science"),
    SubjectGroup("informatics", ("Информатика",), 7, 11, 1.0, 0.4, "informatics"),
    SubjectGroup("chemistry", ("Химия",), 8, 11, 1.0, 0.1, "science"),
    SubjectGroup("geography", ("География",), 5, 11, 1.0, 0.2, "science"),
    SubjectGroup("technology", ("Труд (технология)",), 5, 9, 1.2, 0.45, "arts"),
    SubjectGroup("music", ("Музыка",), 1, 8, 0.8, 0.12, "arts"),
    SubjectGroup("art", ("Изобразительное искусство",), 1, 7, 0.7, 0.1, "arts"),
    SubjectGroup(
        "obzr",
        ("Основы безопасности и защиты Родины",),
        8,
        11,
        0.6,
        0.8,
        "obzr",
        "Преподаватель-организатор основ безопасности и защиты Родины",
    ),
    SubjectGroup("german", ("Немецкий язык",), 5, 11, 0.4, 0.05, "english"),
]
GROUPS = {g.key: g for g in SUBJECT_GROUPS}
SUBJECT_GROUP_OF = {subject: g.key for g in SUBJECT_GROUPS for subject in g.subjects}
PRIMARY_SPECIALIST_SUBJECTS = {"Английский язык", "Физическая культура", "Музыка", "Изобразительное искусство"}
# Groups every school has a teacher of first, in this order.
ESSENTIAL_GROUPS = ["russian", "maths", "english", "history", "pe"]
# When a small school has no teacher of a group, its subjects go to a teacher of the next group.
MERGE_INTO = {
    "german": "english",
    "physics": "maths",
    "informatics": "maths",
    "chemistry": "biology",
    "biology": "geography",
    "geography": "history",
    "obzr": "pe",
    "music": "art",
    "art": "technology",
    "technology": "informatics",
    "history": "russian",
    "pe": "history",
}

# Hours per week by grade (simplified федеральный учебный план).
_PRIMARY = {"Начальные классы": 17, "Физическая культура": 2, "Музыка": 1, "Изобразительное искусство": 1}
_BASIC: dict[str, dict[int, float]] = {
    "Русский язык": {5: 5, 6: 6, 7: 4, 8: 3, 9: 3, 10: 2, 11: 2},
    "Литература": {5: 3, 6: 3, 7: 2, 8: 2, 9: 3, 10: 3, 11: 3},
    "Английский язык": dict.fromkeys(range(5, 12), 3) | {2: 2, 3: 2, 4: 2},
    "Математика": {5: 5, 6: 5},
    "Алгебра": {7: 3, 8: 3, 9: 3, 10: 3, 11: 3},
    "Геометрия": {7: 2, 8: 2, 9: 2, 10: 2, 11: 2},
    "Вероятность и статистика": {7: 1, 8: 1, 9: 1, 10: 1, 11: 1},
    "Информатика": {7: 1, 8: 1, 9: 1, 10: 1, 11: 1},
    "История": {5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2, 11: 2},
    "Обществознание": {6: 1, 7: 1, 8: 1, 9: 1, 10: 2, 11: 2},
    "ОДНКНР": {5: 1, 6: 1},
    "География": {5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 1, 11: 1},
    "Биология": {5: 1, 6: 1, 7: 1, 8: 2, 9: 2, 10: 1, 11: 1},
    "Физика": {7: 2, 8: 2, 9: 3, 10: 2, 11: 2},
    "Химия": {8: 2, 9: 2, 10: 1, 11: 1},
    "Музыка": {5: 1, 6: 1, 7: 1, 8: 1},
    "Изобразительное искусство": {5: 1, 6: 1, 7: 1},
    "Труд (технология)": {5: 2, 6: 2, 7: 2, 8: 1, 9: 1},
    "Физическая культура": dict.fromkeys(range(5, 12), 2),
    "Основы безопасности и защиты Родины": {8: 1, 9: 1, 10: 1, 11: 1},
}


# Schools that teach a second foreign language in grades 5–9.
SECOND_LANGUAGE_PROFILES = {"gymnasium", "lyceum", "sosh_uiop"}


def curriculum(grade: int, profile: str = "") -> list[tuple[str, float]]:
    """Subjects of a grade and their hours per week (``profile`` of the school adds a second language)."""
    if grade <= 4:
        items = list(_PRIMARY.items())
        if grade >= 2:
            items.append(("Английский язык", 2))
        if grade == 4:
            items.append(("ОРКСЭ", 1))
        return items
    items = [(subject, hours[grade]) for subject, hours in _BASIC.items() if grade in hours]
    if profile in SECOND_LANGUAGE_PROFILES and grade <= 9:
        items.append(("Немецкий язык", 2))
    return items


def subject_grades(subject: str) -> list[int]:
    return [g for g in range(1, 12) if any(s == subject for s, _ in curriculum(g, "gymnasium"))]


REQUIRED_SUBJECTS = sorted(
    {s for g in SUBJECT_GROUPS for s in g.subjects}
    | {s for area in METHODIST_AREAS for s in area}
    | {"Начальные классы", "ОРКСЭ", "Психология", "Коррекционная педагогика", "Дошкольное образование"}
    | {"Дополнительное образование"}
)
REQUIRED_POSITIONS = [
    "Учитель",
    "Учитель-логопед",
    "Директор",
    "Заведующий",
    "Заместитель директора",
    "Заместитель заведующего",
    "Воспитатель",
    "Старший воспитатель",
    "Музыкальный руководитель",
    "Инструктор по физической культуре",
    "Педагог-психолог",
    "Социальный педагог",
    "Педагог-организатор",
    "Педагог-библиотекарь",
    "Педагог дополнительного образования",
    "Старший педагог дополнительного образования",
    "Концертмейстер",
    "Тренер-преподаватель",
    "Старший тренер-преподаватель",
    "Инструктор-методист",
    "Методист",
    "Старший методист",
    "Преподаватель",
    "Мастер производственного обучения",
    "Преподаватель-организатор основ безопасности и защиты Родины",
    "Советник директора по воспитанию и взаимодействию с детскими общественными объединениями",
]

# Keys of slots that teach classes (and may be young teachers).
TEACHING_KEYS = {"primary", "subject", "educator", "pdo", "coach", "lecturer"}


def grade_bands(rng: random.Random, grades: list[int], k: int) -> list[list[int]]:
    """Split ``grades`` between ``k`` teachers: contiguous bands, slightly overlapping."""
    n = len(grades)
    bands = []
    for i in range(k):
        a, b = i * n // k, max(i * n // k + 1, (i + 1) * n // k)
        if a > 0 and rng.random() < 0.4:
            a -= 1
        if b < n and rng.random() < 0.4:
            b += 1
        while b - a < 2 and n >= 2:
            if b < n:
                b += 1
            else:
                a -= 1
        bands.append(grades[a:b])
    return bands


def allocate(total: int, weights: dict[str, float], minimum: list[str]) -> dict[str, int]:
    """Share ``total`` teachers between groups: one for each of ``minimum`` first, the rest by weight."""
    counts = dict.fromkeys(weights, 0)
    left = total
    for key in minimum:
        if left <= 0:
            break
        counts[key] += 1
        left -= 1
    if left > 0:
        wsum = sum(weights.values())
        quotas = {k: total * w / wsum - counts[k] for k, w in weights.items()}
        for k, q in quotas.items():
            add = max(0, int(q))
            add = min(add, left)
            counts[k] += add
            left -= add
        order = sorted(weights, key=lambda k: (-(quotas[k] - int(max(0, quotas[k]))), list(weights).index(k)))
        i = 0
        while left > 0:
            counts[order[i % len(order)]] += 1
            left -= 1
            i += 1
    return counts


def group_hours(plan: OrgPlan) -> dict[str, float]:
    """Hours per week of each subject group the school's classes need from subject teachers."""
    hours: dict[str, float] = {}
    for grade, count in enumerate(plan.classes, start=1):
        for subject, h in curriculum(grade, plan.profile):
            if grade <= 4 and subject not in PRIMARY_SPECIALIST_SUBJECTS:
                continue
            key = SUBJECT_GROUP_OF[subject]
            hours[key] = hours.get(key, 0) + h * count
    return hours


def subject_teacher_slots(rng: random.Random, plan: OrgPlan, n: int) -> list[Slot]:
    """``n`` subject teachers for a school, shared between subjects in proportion to their hours."""
    top = plan.max_grade
    hours = group_hours(plan)
    applicable = [g for g in SUBJECT_GROUPS if hours.get(g.key)]
    if n <= 0 or not applicable:
        return []
    keys = [g.key for g in applicable]
    average = sum(hours.values()) / n

    # Groups with too few hours for a teacher of their own (or more groups than teachers) are taught
    # by a teacher of a related group: physics by the maths teacher, music by the art teacher …
    active = {k: hours[k] for k in keys}
    extra: dict[str, list[str]] = {k: [] for k in keys}

    def target_of(key: str) -> str:
        target, seen = MERGE_INTO.get(key), {key}
        while target is not None and target not in seen:
            if target in active:
                return target
            seen.add(target)
            target = MERGE_INTO.get(target)
        return min((k for k in active if k != key), key=lambda k: (active[k], keys.index(k)))

    while len(active) > 1:
        smallest = sorted(active, key=lambda k: (active[k], keys.index(k)))
        essential_left = [k for k in ESSENTIAL_GROUPS if k in active]
        key = next(
            (k for k in smallest if active[k] < 0.4 * average and (k not in essential_left or len(active) > n)),
            None,
        )
        if key is None and len(active) > n:
            key = next((k for k in smallest if k not in essential_left), smallest[0])
        if key is None:
            break
        target = target_of(key)
        active[target] += active.pop(key)
        extra[target] += [key, *extra.pop(key)]

    while True:
        essential = [k for k in ESSENTIAL_GROUPS if k in active] or list(active)[:1]
        counts = allocate(n, active, essential)
        unstaffed = sorted((k for k in active if not counts[k]), key=lambda k: (active[k], keys.index(k)))
        if not unstaffed:
            break
        key = unstaffed[0]
        target = target_of(key)
        active[target] += active.pop(key)
        extra[target] += [key, *extra.pop(key)]
    counts.update({k: 0 for k in keys if k not in active})
    extra = {k: extra.get(k, []) for k in keys}

    slots: list[Slot] = []
    planned: list[float] = []  # hours per week each slot is expected to teach
    for group in applicable:
        k = counts[group.key]
        if not k:
            continue
        grades = list(range(group.low, min(group.high, top) + 1))
        for band in grade_bands(rng, grades, k):
            subjects = [s for s in group.subjects if set(subject_grades(s)) & set(band)]
            if "ОДНКНР" in subjects and rng.random() < 0.5:
                subjects.remove("ОДНКНР")
            slots.append(
                Slot(
                    "subject",
                    group.position,
                    subjects=subjects or list(group.subjects[:1]),
                    grades=list(band),
                    male_share=group.male_share,
                    areas=("school", group.area),
                    group=group.key,
                )
            )
            planned.append(hours[group.key] / k)

    # Merged groups go to the least loaded teacher of the related group, or of any group when he is busy.
    for target, merged_keys in extra.items():
        for key in sorted(merged_keys, key=lambda k: (-hours[k], keys.index(k))):
            pool = [i for i, slot in enumerate(slots) if slot.group == target] or list(range(len(slots)))
            best = min(pool, key=lambda i: planned[i])
            if planned[best] + hours[key] > 1.25 * average:
                best = min(range(len(slots)), key=lambda i: planned[i])
            merged, slot = GROUPS[key], slots[best]
            slot.subjects += [s for s in merged.subjects if s not in slot.subjects and s != "ОДНКНР"]
            slot.grades = sorted(set(slot.grades) | set(range(merged.low, min(merged.high, top) + 1)))
            slot.position = "Учитель"
            planned[best] += hours[key]
    return slots


def _teaching_internal(rng: random.Random, plan: OrgPlan) -> Slot | None:
    """The teaching job of a school's director or deputy (they usually teach a few hours)."""
    if not plan.is_school or rng.random() > 0.6:
        return None
    if plan.max_grade <= 4:
        return Slot("internal", "Учитель", ["Начальные классы"], [1, 2, 3, 4], areas=("school", "primary"))
    group = GROUPS[rng.choice(["maths", "russian", "history", "history", "biology", "geography", "physics"])]
    grades = list(range(group.low, min(group.high, plan.max_grade) + 1))
    start = rng.randint(0, max(0, len(grades) - 3))
    band = grades[start : start + rng.randint(2, 3)]
    subjects = [s for s in group.subjects if set(subject_grades(s)) & set(band) and s != "ОДНКНР"]
    return Slot("internal", "Учитель", subjects, band, areas=("school", group.area), group=group.key)


def plan_staff(rng: random.Random, plan: OrgPlan) -> list[Slot]:
    """The jobs of an organisation: exactly ``plan.staff`` slots (main employments)."""
    n = plan.staff
    profile = plan.profile
    slots: list[Slot] = []

    def add(slot: Slot, when: bool = True) -> None:
        if when and len(slots) < n:
            slots.append(slot)

    management = ("management",)
    if plan.is_school:
        add(
            Slot(
                "director",
                "Директор",
                is_manager=True,
                male_share=0.35,
                areas=management,
                min_age=36,
                max_age=66,
                internal=_teaching_internal(rng, plan),
            )
        )
        deputies = 3 if n >= 45 else 2 if n >= 25 else 1 if n >= 12 else 0
        for _ in range(deputies):
            add(
                Slot(
                    "deputy",
                    "Заместитель директора",
                    is_manager=True,
                    male_share=0.15,
                    areas=management,
                    min_age=30,
                    max_age=65,
                    internal=_teaching_internal(rng, plan),
                )
            )
        add(Slot("psychologist", "Педагог-психолог", ["Психология"], male_share=0.05, areas=("support",)), n >= 14)
        add(Slot("social", "Социальный педагог", male_share=0.03, areas=("support",)), n >= 24)
        add(
            Slot(
                "logoped",
                "Учитель-логопед",
                ["Коррекционная педагогика"],
                [1, 2, 3, 4],
                male_share=0.0,
                areas=("support",),
            ),
            n >= 30,
        )
        add(
            Slot(
                "advisor",
                "Советник директора по воспитанию и взаимодействию с детскими общественными объединениями",
                male_share=0.2,
                max_age=40,
            ),
            n >= 15,
        )
        add(Slot("organiser", "Педагог-организатор", male_share=0.15, max_age=55), n >= 30)
        add(Slot("librarian", "Педагог-библиотекарь", male_share=0.0, min_age=30), n >= 40)
        primary_classes = sum(plan.classes[:4])
        if plan.rural and max(plan.classes) == 1 and plan.max_grade > 4 and n < 18:
            primary_classes = min(primary_classes, 2)  # classes 1+3 and 2+4 are taught together (класс-комплект)
        subject_min = min(len(ESSENTIAL_GROUPS), max(0, n - len(slots) - primary_classes)) if plan.max_grade > 4 else 2
        primary = max(1, min(primary_classes, n - len(slots) - subject_min)) if primary_classes else 0
        for _ in range(primary):
            add(
                Slot(
                    "primary",
                    "Учитель",
                    ["Начальные классы"],
                    [1, 2, 3, 4],
                    male_share=0.02,
                    areas=("school", "primary"),
                )
            )
        for slot in subject_teacher_slots(rng, plan, n - len(slots)):
            add(slot)
    elif profile == "kindergarten":
        add(Slot("director", "Заведующий", is_manager=True, male_share=0.0, areas=management, min_age=35, max_age=65))
        add(
            Slot("deputy", "Заместитель заведующего", is_manager=True, male_share=0.0, areas=management, min_age=30),
            n >= 14,
        )
        add(
            Slot(
                "senior_educator",
                "Старший воспитатель",
                ["Дошкольное образование"],
                male_share=0.0,
                areas=("kindergarten", "methodical"),
                min_age=28,
            ),
            n >= 9,
        )
        add(Slot("music_director", "Музыкальный руководитель", ["Музыка"], male_share=0.08, areas=("kindergarten",)))
        add(
            Slot(
                "pe_instructor",
                "Инструктор по физической культуре",
                ["Физическая культура"],
                male_share=0.2,
                areas=("kindergarten", "pe"),
            ),
            n >= 10,
        )
        add(
            Slot(
                "logoped",
                "Учитель-логопед",
                ["Коррекционная педагогика"],
                male_share=0.0,
                areas=("kindergarten", "support"),
            ),
            n >= 11,
        )
        add(
            Slot(
                "psychologist", "Педагог-психолог", ["Психология"], male_share=0.03, areas=("kindergarten", "support")
            ),
            n >= 12,
        )
        while len(slots) < n:
            add(Slot("educator", "Воспитатель", ["Дошкольное образование"], male_share=0.01, areas=("kindergarten",)))
    elif profile == "cdo":
        add(Slot("director", "Директор", is_manager=True, male_share=0.25, areas=management, min_age=35))
        add(Slot("deputy", "Заместитель директора", is_manager=True, male_share=0.15, areas=management), n >= 8)
        add(
            Slot(
                "methodist",
                "Методист",
                ["Дополнительное образование"],
                male_share=0.1,
                areas=("additional", "methodical"),
            ),
            n >= 10,
        )
        add(Slot("organiser", "Педагог-организатор", male_share=0.2, areas=("additional",)), n >= 12)
        add(Slot("concertmaster", "Концертмейстер", ["Музыка"], male_share=0.2, areas=("additional",)), n >= 15)
        add(
            Slot(
                "pdo",
                "Старший педагог дополнительного образования",
                ["Дополнительное образование"],
                male_share=0.2,
                areas=("additional",),
                min_age=30,
            ),
            n >= 18,
        )
        while len(slots) < n:
            add(
                Slot(
                    "pdo",
                    "Педагог дополнительного образования",
                    ["Дополнительное образование"],
                    male_share=0.2,
                    areas=("additional",),
                )
            )
    elif profile == "sport":
        add(Slot("director", "Директор", is_manager=True, male_share=0.7, areas=management, min_age=35))
        add(Slot("deputy", "Заместитель директора", is_manager=True, male_share=0.5, areas=management), n >= 8)
        add(
            Slot(
                "instructor_methodist",
                "Инструктор-методист",
                ["Физическая культура"],
                male_share=0.4,
                areas=("sport", "methodical"),
            ),
            n >= 9,
        )
        add(
            Slot(
                "coach",
                "Старший тренер-преподаватель",
                ["Физическая культура", "Дополнительное образование"],
                male_share=0.7,
                areas=("sport",),
                min_age=30,
            ),
            n >= 12,
        )
        while len(slots) < n:
            add(
                Slot(
                    "coach",
                    "Тренер-преподаватель",
                    ["Физическая культура", "Дополнительное образование"],
                    male_share=0.6,
                    areas=("sport",),
                )
            )
    elif profile == "college":
        add(Slot("director", "Директор", is_manager=True, male_share=0.5, areas=management, min_age=38))
        for _ in range(3 if n >= 40 else 2 if n >= 20 else 1):
            add(Slot("deputy", "Заместитель директора", is_manager=True, male_share=0.3, areas=management))
        add(Slot("methodist", "Методист", male_share=0.1, areas=("methodical",)), n >= 20)
        add(Slot("psychologist", "Педагог-психолог", ["Психология"], male_share=0.05, areas=("support",)), n >= 25)
        add(Slot("social", "Социальный педагог", male_share=0.05, areas=("support",)), n >= 30)
        while len(slots) < n:
            if rng.random() < 0.22:
                add(Slot("lecturer", "Мастер производственного обучения", male_share=0.6, areas=("additional",)))
            else:
                group = rng.choices(SUBJECT_GROUPS, weights=[g.weight for g in SUBJECT_GROUPS])[0]
                add(
                    Slot(
                        "lecturer",
                        "Преподаватель",
                        list(group.subjects[:2]),
                        male_share=group.male_share + 0.1,
                        areas=("school", group.area),
                        group=group.key,
                    )
                )
    elif profile == "imc":
        add(Slot("director", "Директор", is_manager=True, male_share=0.2, areas=management, min_age=38))
        add(Slot("deputy", "Заместитель директора", is_manager=True, male_share=0.1, areas=management), n >= 6)
        add(
            Slot(
                "methodist", "Старший методист", METHODIST_AREAS[0], male_share=0.1, areas=("methodical",), min_age=35
            ),
            n >= 8,
        )
        i = 1
        while len(slots) < n:
            add(
                Slot(
                    "methodist",
                    "Методист",
                    list(METHODIST_AREAS[i % len(METHODIST_AREAS)]),
                    male_share=0.1,
                    areas=("methodical",),
                    min_age=28,
                )
            )
            i += 1
    else:
        raise ValueError(f"unknown organisation profile {profile!r}")

    # Young teachers: at least plan.young_min of the teaching slots.
    teaching = [s for s in slots if s.key in TEACHING_KEYS]
    for slot in rng.sample(teaching, min(plan.young_min, len(teaching))):
        slot.young = True
    return slots


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

START_AGE_WEIGHTS = {20: 8, 21: 14, 22: 30, 23: 22, 24: 12, 25: 6}


def pick_category(rng: random.Random, experience: int) -> str:
    """A qualification category (приказ № 196) likely for a worker with this experience."""
    c = QualificationCategory
    if experience < 2:
        return weighted(rng, {c.NONE: 93, c.FIRST: 7})
    if experience < 5:
        return weighted(rng, {c.NONE: 35, c.CONFORMITY: 20, c.FIRST: 45})
    return weighted(rng, {c.HIGHEST: 50, c.FIRST: 33, c.CONFORMITY: 7, c.NONE: 7, c.METHODIST: 1.3, c.MENTOR: 1.7})


def set_manager_category(ctx: DemoContext, employment: registry.Employment) -> None:
    """Heads are attested for conformity to their position (соответствие занимаемой должности)."""
    rng, today = ctx.rng, ctx.today
    since = employment.start_date or today
    if (today - since).days < 2 * 365 or rng.random() < 0.1:
        employment.category, employment.category_assigned_on = QualificationCategory.NONE, None
    else:
        earliest = max(since + days(365), today - days(5 * 365 - 3))
        employment.category = QualificationCategory.CONFORMITY
        employment.category_assigned_on = earliest + days(rng.randint(0, max(0, (today - days(15) - earliest).days)))
    employment.category_expires_on = employment.compute_category_expiry()


def set_category(ctx: DemoContext, employment: registry.Employment, experience_start: datetime.date) -> None:
    rng, today = ctx.rng, ctx.today
    experience = registry.full_years_between(experience_start, today)
    category = pick_category(rng, experience)
    if category in (QualificationCategory.METHODIST, QualificationCategory.MENTOR) and experience < 10:
        category = QualificationCategory.HIGHEST
    if category == QualificationCategory.HIGHEST and experience < 5:
        category = QualificationCategory.FIRST
    if category != QualificationCategory.NONE:
        earliest = max(experience_start + days(365), today - days(5 * 365 - 3))
        latest = today - days(15)
        if earliest >= latest:
            category = QualificationCategory.NONE
        else:
            employment.category_assigned_on = earliest + days(rng.randint(0, (latest - earliest).days))
    employment.category = category
    employment.category_expires_on = employment.compute_category_expiry()


def _duration(rng: random.Random, hours: int) -> int:
    if hours <= 18:
        return rng.randint(2, 5)
    if hours <= 36:
        return rng.randint(5, 14)
    if hours <= 72:
        return rng.randint(12, 30)
    if hours <= 144:
        return rng.randint(30, 80)
    return rng.randint(120, 270)


def make_courses(ctx: DemoContext, person: registry.Person, slot: Slot, started_late: bool) -> list:
    """1–4 further-training courses; about three in four people have one in the last three years."""
    rng, today = ctx.rng, ctx.today
    age = person.age(today) or 40
    recent = rng.random() < (0.55 if age >= 60 else 0.74)
    assert person.experience_start is not None
    earliest = max(person.experience_start - days(120), today - days(10 * 365))
    three_years_ago = years_before(today, 3)
    if person.experience_start > three_years_ago - days(60):
        recent = True
    n = weighted(rng, {1: 33, 2: 37, 3: 20, 4: 10})
    programmes: list[tuple[str, tuple[int, ...]]] = []
    for area in slot.areas:
        programmes += AREA_PROGRAMMES.get(area, [])
    courses = []
    chosen: list[str] = []
    providers = [p for p, _ in COURSE_PROVIDERS]
    provider_weights = [w for _, w in COURSE_PROVIDERS]
    for i in range(n):
        if started_late and i == 0:
            area = slot.subjects[0].lower() if slot.subjects else "педагог"
            programme = data.RETRAINING_PROGRAMME.format(area=area)
            hours = rng.choice([252, 300, 520])
            end = min(person.experience_start - days(rng.randint(5, 60)), today - days(5))
            provider = rng.choice(
                [
                    "ФГБОУ ВО «Энский государственный педагогический университет»",
                    "АНО ДПО «Межрегиональный институт повышения квалификации»",
                ]
            )
        else:
            pool = programmes if (programmes and rng.random() < 0.65) else GENERAL_PROGRAMMES
            options = [p for p in pool if p[0] not in chosen] or [p for p in GENERAL_PROGRAMMES if p[0] not in chosen]
            if not options:
                break
            programme, hours_options = rng.choice(options)
            hours = rng.choice(hours_options)
            provider = rng.choices(providers, weights=provider_weights)[0]
            if provider.startswith("МКУ") and hours > 36:
                provider = providers[0]
            if recent and i == (1 if started_late else 0):
                low, high = three_years_ago + days(20), today - days(5)
            elif recent:
                low, high = earliest, today - days(5)
            else:
                low, high = earliest, three_years_ago - days(1)
            if low >= high:
                continue
            end = low + days(rng.randint(0, (high - low).days))
        chosen.append(programme)
        start = end - days(_duration(rng, hours))
        courses.append(
            registry.CourseCompletion(
                person=person,
                provider=provider,
                programme=programme,
                hours=hours,
                start_date=start,
                end_date=end,
                format=weighted(rng, {CourseFormat.DISTANCE: 50, CourseFormat.MIXED: 20, CourseFormat.FULL_TIME: 30}),
                certificate_number=f"{ctx.region_code}{rng.randint(10**9, 10**10 - 1)}",
            )
        )
    return courses


def make_awards(ctx: DemoContext, person: registry.Person) -> list[registry.Award]:
    rng, today = ctx.rng, ctx.today
    experience = person.experience_years(today) or 0
    assert person.experience_start is not None
    p = 0.45 if experience >= 20 else 0.25 if experience >= 10 else 0.06 if experience >= 3 else 0
    if rng.random() >= p:
        return []
    start = person.experience_start.year
    awards: list[tuple[str, str, int]] = []
    year = start + rng.randint(3, 6)
    if year <= today.year:
        awards.append((rng.choice(AWARDS_MUNICIPAL), AwardLevel.MUNICIPAL, year))
    year += rng.randint(3, 7)
    if experience >= 10 and year <= today.year and rng.random() < 0.7:
        awards.append((rng.choice(AWARDS_REGIONAL), AwardLevel.REGIONAL, year))
    year += rng.randint(3, 7)
    if experience >= 15 and year <= today.year and rng.random() < 0.4:
        title = data.AWARD_DEPARTMENTAL_CERTIFICATE if year >= 2018 else data.AWARD_DEPARTMENTAL_CERTIFICATE_OLD
        awards.append((title, AwardLevel.DEPARTMENTAL, year))
        year += rng.randint(3, 8)
        if experience >= 20 and year <= today.year and rng.random() < 0.45:
            title = data.AWARD_HONORARY_WORKER if year >= 2016 else data.AWARD_HONORARY_WORKER_OLD
            awards.append((title, AwardLevel.DEPARTMENTAL, year))
            if experience >= 28 and rng.random() < 0.06:
                awards.append(
                    (data.AWARD_HONOURED_TEACHER, AwardLevel.FEDERAL, min(today.year, year + rng.randint(4, 9)))
                )
    return [registry.Award(person=person, title=t, level=level, year=y) for t, level, y in awards]


def make_member(ctx: DemoContext, plan: OrgPlan, slot: Slot) -> StaffMember:
    """A person for ``slot``: name, dates, education, contacts, employments, courses, awards."""
    rng, today = ctx.rng, ctx.today
    if slot.young:
        age = rng.randint(max(22, slot.min_age), min(34, slot.max_age))
    else:
        age = random_age(rng, slot.min_age, slot.max_age)
    birth = today - days(age * 365.25 + rng.randint(1, 360))
    gender = Gender.MALE if rng.random() < slot.male_share else Gender.FEMALE
    last, first, patronymic = random_full_name(rng, gender, birth.year)

    # Pedagogical experience: most start at 20–25 (college or university), some change careers later,
    # some of the young ones have just started.
    newcomer = slot.young or (age < 35 and rng.random() < (0.8 if age <= 24 else 0.3))
    newcomer = newcomer or (35 <= age <= 50 and not slot.is_manager and rng.random() < 0.03)
    started_late = False
    if newcomer:
        experience_start = today - days(rng.randint(20, 2 * 365 + 300))
        start_age = registry.full_years_between(birth, experience_start)
        started_late = start_age >= 27
    else:
        start_age = weighted(rng, START_AGE_WEIGHTS)
        if age >= 32 and rng.random() < 0.1:
            start_age = rng.randint(26, min(age - 4, 45))
            started_late = True
        start_year = birth.year + start_age + (1 if (birth.month, birth.day) > (9, 1) else 0)
        experience_start = (
            datetime.date(start_year, 9, 1)
            if rng.random() < 0.8
            else datetime.date(start_year, 1, 1) + days(rng.randint(0, 364))
        )
        experience_start = min(experience_start, today - days(3 * 365 + 30))
    if experience_start < add_years(birth, 18):
        experience_start = add_years(birth, 18)

    spo_share = 0.45 if plan.profile == "kindergarten" else 0.1
    if not slot.is_manager and slot.key != "methodist" and (start_age <= 20 or rng.random() < spo_share):
        education = (
            f"Среднее профессиональное, {rng.choice(COLLEGES)}, {max(birth.year + 19, experience_start.year - 1)}"
        )
        if rng.random() < 0.35 and age >= 26:
            education = f"Высшее (заочно), {rng.choice(UNIVERSITIES)}, {min(today.year - 1, experience_start.year + rng.randint(4, 7))}"  # noqa: E501
    else:
        education = (
            f"Высшее, {rng.choice(UNIVERSITIES)}, {min(experience_start.year, birth.year + 22 + rng.randint(0, 1))}"
        )

    person = registry.Person(
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        gender=gender,
        birth_date=birth,
        experience_start=experience_start,
        education=education[:255],
        email=ctx.new_email(last, first, patronymic) if rng.random() < 0.75 else "",
        phone=phone_number(rng) if rng.random() < 0.65 else "",
        snils=ctx.new_snils() if rng.random() < 0.6 else "",
    )
    member = StaffMember(person=person, plan=plan, slot=slot)

    # Main employment: in this organisation since the start of the career or a later 1 September.
    if rng.random() < 0.45 or experience_start.year >= today.year - 1:
        joined = experience_start
    else:
        year = rng.randint(experience_start.year + 1, academic_year_start(today))
        joined = max(experience_start, datetime.date(year, 9, 1) if rng.random() < 0.8 else datetime.date(year, 3, 1))
    if joined > today:
        joined = experience_start
    main = registry.Employment(
        person=person,
        organisation=plan.organisation,
        position=ctx.positions[slot.position],
        kind=EmploymentKind.MAIN,
        grades=list(slot.grades),
        start_date=joined,
        is_manager=slot.is_manager,
    )
    if slot.is_manager:
        set_manager_category(ctx, main)
    else:
        set_category(ctx, main, experience_start)
    member.employments.append(main)
    member.employment_subjects.append(list(slot.subjects))
    if slot.internal is not None:
        internal = registry.Employment(
            person=person,
            organisation=plan.organisation,
            position=ctx.positions[slot.internal.position],
            kind=EmploymentKind.INTERNAL,
            grades=list(slot.internal.grades),
            start_date=joined,
        )
        set_category(ctx, internal, experience_start)
        member.employments.append(internal)
        member.employment_subjects.append(list(slot.internal.subjects))

    member.courses = make_courses(ctx, person, slot, started_late)
    member.awards = make_awards(ctx, person)
    return member


def _add_part_time(ctx: DemoContext, members: list[StaffMember]) -> None:
    """Some teachers also work in a second organisation of their municipality (совместительство)."""
    rng, today = ctx.rng, ctx.today
    by_territory: dict[int, list[OrgPlan]] = {}
    for plan in ctx.plans:
        by_territory.setdefault(plan.organisation.territory_id, []).append(plan)
    for member in members:
        group, key = member.slot.group, member.slot.key
        if member.person.experience_years(today) is None or member.slot.young:
            continue
        neighbours = [p for p in by_territory[member.plan.organisation.territory_id] if p is not member.plan]
        target, position, subjects = None, None, None
        if key == "subject" and group in ("pe", "obzr") and rng.random() < ctx.part_time_share:
            sport = [p for p in neighbours if p.profile == "sport"]
            if sport:
                target, position = rng.choice(sport), "Тренер-преподаватель"
                subjects = ["Физическая культура", "Дополнительное образование"]
        elif (
            key == "subject"
            and group in ("music", "art", "technology", "informatics")
            and (rng.random() < ctx.part_time_share)
        ):
            cdo = [p for p in neighbours if p.profile == "cdo"]
            if cdo:
                target, position, subjects = (
                    rng.choice(cdo),
                    "Педагог дополнительного образования",
                    ["Дополнительное образование"],
                )
        elif key == "music_director" and rng.random() < ctx.part_time_share:
            kindergartens = [p for p in neighbours if p.profile == "kindergarten"]
            if kindergartens:
                target, position, subjects = rng.choice(kindergartens), "Музыкальный руководитель", ["Музыка"]
        elif key == "subject" and rng.random() < ctx.part_time_share * 0.1:
            schools = [p for p in neighbours if p.is_school and p.max_grade >= max(member.main.grades or [1])]
            if schools:
                target, position, subjects = rng.choice(schools), "Учитель", list(member.employment_subjects[0])
        if target is None or position is None:
            continue
        since = today - days(rng.randint(60, 6 * 365))
        since = max(since, member.person.experience_start or since)
        employment = registry.Employment(
            person=member.person,
            organisation=target.organisation,
            position=ctx.positions[position],
            kind=EmploymentKind.PART_TIME,
            grades=list(member.main.grades) if position == "Учитель" else [],
            start_date=since,
        )
        if rng.random() < 0.5:
            employment.category = member.main.category
            employment.category_assigned_on = member.main.category_assigned_on
        employment.category_expires_on = employment.compute_category_expiry()
        member.employments.append(employment)
        member.employment_subjects.append(subjects or [])


def _add_previous_jobs(ctx: DemoContext, members: list[StaffMember]) -> None:
    """A few people moved from another organisation: their ended employment stays in the history."""
    rng, today = ctx.rng, ctx.today
    for member in members:
        main = member.main
        start = member.person.experience_start
        if start is None or main.start_date is None or (main.start_date - start).days < 2 * 365:
            continue
        if rng.random() >= ctx.previous_job_share * 3:  # only ~1/3 of people qualify
            continue
        others = [p for p in ctx.plans if p is not member.plan and p.organisation.kind == member.plan.organisation.kind]
        if not others:
            continue
        previous = rng.choice(others)
        member.employments.append(
            registry.Employment(
                person=member.person,
                organisation=previous.organisation,
                position=main.position,
                kind=EmploymentKind.MAIN,
                grades=list(main.grades),
                start_date=start,
                end_date=min(main.start_date - days(1), today - days(1)),
                category=QualificationCategory.NONE,
            )
        )
        member.employment_subjects.append(list(member.employment_subjects[0]))


def _add_statuses(ctx: DemoContext, members: list[StaffMember]) -> None:
    """Statuses: mentors of young teachers, teacher-methodists, experts, tutors, the managers' reserve."""
    rng, today = ctx.rng, ctx.today
    c = QualificationCategory

    def give(member: StaffMember, kind: str) -> None:
        if any(s.kind == kind for s in member.statuses):
            return
        start = member.person.experience_start or today
        earliest = max(start + days(5 * 365), today - days(6 * 365))
        since = earliest + days(rng.randint(0, max(0, (today - days(30) - earliest).days)))
        member.statuses.append(registry.PersonStatus(person=member.person, kind=kind, since=min(since, today)))

    for member in members:
        category, experience = member.main.category, member.experience(today)
        teaching = member.slot.key in TEACHING_KEYS
        if category == c.METHODIST:
            give(member, PersonStatusKind.TEACHER_METHODIST)
        if category == c.MENTOR:
            give(member, PersonStatusKind.TEACHER_MENTOR)
        if not teaching:
            continue
        if category == c.HIGHEST and experience >= 15 and rng.random() < 0.05:
            give(member, PersonStatusKind.TEACHER_METHODIST)
        if category in (c.HIGHEST, c.FIRST) and experience >= 10 and rng.random() < 0.02:
            give(member, PersonStatusKind.TEACHER_MENTOR)
        if category in (c.HIGHEST, c.FIRST) and experience >= 8 and member.plan.is_school and rng.random() < 0.08:
            give(member, PersonStatusKind.EXPERT)
        if experience >= 5 and rng.random() < 0.01:
            give(member, PersonStatusKind.TUTOR)
        if category in (c.HIGHEST, c.FIRST) and 30 <= (member.person.age(today) or 0) <= 50 and rng.random() < 0.02:
            give(member, PersonStatusKind.RESERVE)

    # Every organisation with young teachers has a mentor (наставник), preferably of the same subject.
    by_plan: dict[int, list[StaffMember]] = {}
    for member in members:
        by_plan.setdefault(id(member.plan), []).append(member)
    for group in by_plan.values():
        young = [m for m in group if m.person.is_young(today)]
        if not young:
            continue
        experienced = [
            m
            for m in group
            if m.slot.key in TEACHING_KEYS and m.experience(today) >= 10 and m.main.category in (c.HIGHEST, c.FIRST)
        ]
        if not experienced:
            continue
        for newcomer in young:
            if any(s.kind == PersonStatusKind.TEACHER_MENTOR for m in experienced for s in m.statuses) and (
                rng.random() < 0.65
            ):
                continue
            same = [m for m in experienced if m.slot.group == newcomer.slot.group and m.slot.key == newcomer.slot.key]
            give(rng.choice(same or experienced), PersonStatusKind.TEACHER_MENTOR)


def build_people(ctx: DemoContext, plans: Iterable[OrgPlan] | None = None) -> list[StaffMember]:
    """Plan the staff of every organisation, generate the people and save them in bulk."""
    members: list[StaffMember] = []
    for plan in plans if plans is not None else ctx.plans:
        for slot in plan_staff(ctx.rng, plan):
            member = make_member(ctx, plan, slot)
            plan.members.append(member)
            members.append(member)
    _add_part_time(ctx, members)
    _add_previous_jobs(ctx, members)
    _add_statuses(ctx, members)
    save_people(ctx, members)
    ctx.staff.extend(members)
    return members


def save_people(ctx: DemoContext, members: list[StaffMember]) -> None:
    """Insert people and everything they own with bulk_create (no auditlog entries for seed data)."""
    registry.Person.objects.bulk_create([m.person for m in members], batch_size=BATCH_SIZE)
    employments = [e for m in members for e in m.employments]
    registry.Employment.objects.bulk_create(employments, batch_size=BATCH_SIZE)
    through = registry.Employment.subjects.through
    links = [
        through(employment_id=e.pk, subject_id=ctx.subjects[name].pk)
        for m in members
        for e, names in zip(m.employments, m.employment_subjects, strict=True)
        for name in dict.fromkeys(names)
    ]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    registry.CourseCompletion.objects.bulk_create([c for m in members for c in m.courses], batch_size=BATCH_SIZE)
    registry.Award.objects.bulk_create([a for m in members for a in m.awards], batch_size=BATCH_SIZE)
    registry.PersonStatus.objects.bulk_create([s for m in members for s in m.statuses], batch_size=BATCH_SIZE)


# ---------------------------------------------------------------------------------------------
# Classes and teaching assignments
# ---------------------------------------------------------------------------------------------

# When nobody teaches a subject, a teacher of the related subject takes it on.
SUBJECT_FALLBACK = {
    "ОДНКНР": "История",
    "Вероятность и статистика": "Алгебра",
    "Математика": "Алгебра",
    "Алгебра": "Математика",
    "Геометрия": "Алгебра",
    "Обществознание": "История",
    "Литература": "Русский язык",
    "Информатика": "Алгебра",
    "Физика": "Алгебра",
    "Химия": "Биология",
    "Биология": "География",
    "География": "История",
    "Основы безопасности и защиты Родины": "Физическая культура",
    "Труд (технология)": "Физическая культура",
    "Изобразительное искусство": "Музыка",
    "Музыка": "Изобразительное искусство",
}


@dataclass
class _Teacher:
    """A teaching job build_classes may give classes to: a teacher's main job or a head's internal one."""

    member: StaffMember
    employment: registry.Employment
    subjects: list[str]
    bias: float = 0.0  # heads teach a few hours only
    taught: set[int] = field(default_factory=set)

    @property
    def load(self) -> float:
        return self.member.load + self.bias


def _teachers_of(plan: OrgPlan) -> list[_Teacher]:
    teachers = []
    for member in plan.members:
        if member.slot.key in ("primary", "subject"):
            teachers.append(_Teacher(member, member.main, member.employment_subjects[0]))
        elif member.slot.internal is not None and len(member.employments) > 1:
            teachers.append(_Teacher(member, member.employments[1], member.employment_subjects[1], bias=14))
    return teachers


def build_classes(ctx: DemoContext, plans: Iterable[OrgPlan] | None = None) -> None:
    """Classes of the current academic year and the teaching load of every school's teachers."""
    year = academic_year_start(ctx.today)
    new_links: list[tuple[registry.Employment, str]] = []
    changed: list[registry.Employment] = []
    for plan in plans if plans is not None else ctx.plans:
        if not plan.is_school or not any(plan.classes):
            continue
        lettered = max(plan.classes) > 1
        classes = []
        for grade, count in enumerate(plan.classes, start=1):
            for i in range(count):
                size = ctx.rng.randint(15, 22) if plan.rural else ctx.rng.randint(22, 30)
                classes.append(
                    registry.SchoolClass(
                        organisation=plan.organisation,
                        academic_year=year,
                        grade=grade,
                        letter=CLASS_LETTERS[i] if lettered else "",
                        students_count=size,
                    )
                )
        registry.SchoolClass.objects.bulk_create(classes, batch_size=BATCH_SIZE)
        ctx.classes.extend(classes)

        teachers = _teachers_of(plan)
        primary = [t for t in teachers if t.member.slot.key == "primary"]
        others = [t for t in teachers if t.member.slot.key != "primary"]
        assignments: list[registry.TeachingAssignment] = []

        def assign(
            teacher: _Teacher,
            school_class: registry.SchoolClass,
            subject: str,
            hours: float,
            assignments: list[registry.TeachingAssignment] = assignments,
        ) -> None:
            teacher.member.load += hours
            teacher.taught.add(school_class.grade)
            if subject not in teacher.subjects:
                teacher.subjects.append(subject)
                new_links.append((teacher.employment, subject))
            assignments.append(
                registry.TeachingAssignment(
                    person=teacher.member.person,
                    school_class=school_class,
                    subject=ctx.subjects[subject],
                    hours_per_week=Decimal(str(hours)),
                )
            )

        primary_classes = [c for c in classes if c.grade <= 4]
        class_teacher = {id(c): primary[i % len(primary)] for i, c in enumerate(primary_classes)} if primary else {}
        for school_class in classes:
            grade = school_class.grade
            own = class_teacher.get(id(school_class))
            for subject, hours in curriculum(grade, plan.profile):
                if grade <= 4 and subject not in PRIMARY_SPECIALIST_SUBJECTS:
                    if own is not None:
                        assign(own, school_class, subject, hours)
                    continue
                candidates = [t for t in others if subject in t.subjects]
                specialist_here = any(grade in t.employment.grades for t in candidates)
                if grade <= 4 and own is not None and subject != "Английский язык" and not specialist_here:
                    candidates = [own]  # in a small school the class teacher teaches music or PE too
                if not candidates and subject in SUBJECT_FALLBACK:
                    related = SUBJECT_FALLBACK[subject]
                    candidates = [t for t in others if related in t.subjects and t.bias == 0]
                if not candidates and grade <= 4 and own is not None:
                    candidates = [own]
                if not candidates:
                    continue
                # The least loaded teacher, preferring those whose grades include this one.
                best = min(candidates, key=lambda t: t.load + (0 if grade in t.employment.grades else 8))
                assign(best, school_class, subject, hours)

        for teacher in others:
            if teacher.taught:
                grades = sorted(teacher.taught)
                if grades != teacher.employment.grades:
                    teacher.employment.grades = grades
                    changed.append(teacher.employment)
        registry.TeachingAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
        ctx.assignments.extend(assignments)

    if changed:
        registry.Employment.objects.bulk_update(changed, ["grades"], batch_size=BATCH_SIZE)
    through = registry.Employment.subjects.through
    through.objects.bulk_create(
        [through(employment_id=e.pk, subject_id=ctx.subjects[s].pk) for e, s in new_links],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


# ---------------------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------------------

SCHOOL_PROFILES = {"gymnasium", "lyceum", "sosh", "sosh_uiop", "sosh_rural", "oosh", "nosh"}
PROFILE_KIND = {
    **dict.fromkeys(SCHOOL_PROFILES, OrganisationKind.SCHOOL),
    "kindergarten": OrganisationKind.KINDERGARTEN,
    "cdo": OrganisationKind.ADDITIONAL,
    "sport": OrganisationKind.ADDITIONAL,
    "college": OrganisationKind.COLLEGE,
    "imc": OrganisationKind.METHODOLOGICAL_CENTRE,
}


def organisation_names(
    profile: str,
    *,
    number: int | None = None,
    village: tuple[str, str, str] | None = None,
    title: str = "",
    owner_genitive: str = MUNICIPALITY_GENITIVE,
) -> tuple[str, str]:
    """(краткое, полное наименование) of an organisation of ``profile``."""
    no = f" № {number}" if number else ""
    mbou = "Муниципальное бюджетное общеобразовательное учреждение"
    if profile in ("sosh_rural", "oosh", "nosh") and village:
        level = {"sosh_rural": ("СОШ", "средняя"), "oosh": ("ООШ", "основная"), "nosh": ("НОШ", "начальная")}[profile]
        short = f"МБОУ «{village[1]} {level[0]}»"
        return short, f"{mbou} «{village[1]} {level[1]} общеобразовательная школа» {owner_genitive}"
    if profile == "gymnasium":
        return f"МБОУ «Гимназия{no}»", f"{mbou} «Гимназия{no}» {owner_genitive}"
    if profile == "lyceum":
        return f"МБОУ «Лицей{no}»", f"{mbou} «Лицей{no}» {owner_genitive}"
    if profile == "sosh_uiop":
        return (
            f"МБОУ «СОШ{no} с УИОП»",
            f"{mbou} «Средняя общеобразовательная школа{no} с углублённым изучением отдельных предметов» "
            f"{owner_genitive}",
        )
    if profile in SCHOOL_PROFILES:
        kind = {"oosh": ("ООШ", "Основная"), "nosh": ("НОШ", "Начальная")}.get(profile, ("СОШ", "Средняя"))
        return f"МБОУ «{kind[0]}{no}»", f"{mbou} «{kind[1]} общеобразовательная школа{no}» {owner_genitive}"
    if profile == "kindergarten":
        mbdou = "Муниципальное бюджетное дошкольное образовательное учреждение"
        if village:
            return (
                f"МБДОУ «{village[2]} детский сад „{title}“»",
                f"{mbdou} «{village[2]} детский сад „{title}“» {owner_genitive}",
            )
        return f"МБДОУ «Детский сад{no} „{title}“»", f"{mbdou} «Детский сад{no} „{title}“» {owner_genitive}"
    mbu_do = "Муниципальное бюджетное учреждение дополнительного образования"
    if profile == "cdo":
        if title == "ЦДО":
            return f"МБУ ДО «ЦДО{no}»", f"{mbu_do} «Центр дополнительного образования{no}» {owner_genitive}"
        return f"МБУ ДО «ДДТ{no}»", f"{mbu_do} «Дом детского творчества{no}» {owner_genitive}"
    if profile == "sport":
        return f"МБУ ДО «ДЮСШ{no}»", f"{mbu_do} «Детско-юношеская спортивная школа{no}» {owner_genitive}"
    if profile == "college":
        return (
            f"ГБПОУ «{title or 'Многопрофильный'} колледж{no}»",
            f"Государственное бюджетное профессиональное образовательное учреждение "
            f"«{title or 'Многопрофильный'} колледж{no}» {REGION_GENITIVE}",
        )
    if profile == "imc":
        return (
            "МКУ «ИМЦ»",
            f"Муниципальное казённое учреждение «Информационно-методический центр» {owner_genitive}",
        )
    raise ValueError(f"unknown organisation profile {profile!r}")


def make_organisation(
    ctx: DemoContext,
    territory: registry.Territory,
    profile: str,
    *,
    address: str,
    email_slug: str,
    domain: str = "svetlogorsk-edu.example",
    **names,
) -> registry.Organisation:
    short, full = organisation_names(profile, **names)
    return registry.Organisation(
        territory=territory,
        kind=PROFILE_KIND[profile],
        short_name=short,
        full_name=full,
        inn=ctx.new_inn(),
        ogrn=ctx.new_ogrn(),
        address=address,
        phone=phone_number(ctx.rng, mobile=False),
        email=f"{email_slug}@{domain}",
        website=f"https://{email_slug}.{domain}/",
    )


def school_classes(*counts: int) -> list[int]:
    """Classes per grade from the given counts, padded with zeros up to grade 11."""
    return [*counts, *([0] * (11 - len(counts)))]


@dataclass(frozen=True)
class DemoOrg:
    key: str
    profile: str
    staff: int
    classes: tuple[int, ...] = ()
    number: int | None = None
    village: int | None = None  # index in data.VILLAGES
    title: str = ""
    street: str = "ул. Ленина"
    house: str = "1"
    young_min: int = 0
    flags: tuple[tuple[str, object], ...] = ()


DEMO_ORGANISATIONS: list[DemoOrg] = [
    DemoOrg(
        "gymnasium",
        "gymnasium",
        54,
        (3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2),
        number=1,
        street="ул. Ленина",
        house="15",
        young_min=3,
        flags=(("innovation_site", InnovationSite.REGIONAL), ("internship_site", True)),
    ),
    DemoOrg(
        "sosh2",
        "sosh",
        32,
        (2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1),
        number=2,
        street="ул. Советская",
        house="42",
        young_min=2,
    ),
    DemoOrg(
        "sosh3",
        "sosh",
        28,
        (2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1),
        number=3,
        street="ул. Заводская",
        house="7",
        young_min=2,
        flags=(("low_results", True),),
    ),
    DemoOrg(
        "sosh4",
        "sosh_uiop",
        36,
        (3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
        number=4,
        street="пр. Победы",
        house="23",
        young_min=1,
        flags=(("innovation_site", InnovationSite.MUNICIPAL),),
    ),
    DemoOrg(
        "sosh5",
        "sosh",
        25,
        (2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        number=5,
        street="ул. Строителей",
        house="11",
        young_min=1,
    ),
    DemoOrg(
        "sosh_sosnovka",
        "sosh_rural",
        16,
        (1,) * 11,
        village=0,
        street="ул. Школьная",
        house="3",
        young_min=1,
        flags=(("growth_point", True),),
    ),
    DemoOrg(
        "oosh_ozernoe",
        "oosh",
        11,
        (1,) * 9,
        village=1,
        street="ул. Центральная",
        house="12",
        flags=(("growth_point", True), ("low_results", True), ("unfavourable_conditions", True)),
    ),
    DemoOrg(
        "oosh_kamenka",
        "oosh",
        10,
        (1,) * 9,
        village=2,
        street="ул. Молодёжная",
        house="5",
        flags=(("growth_point", True),),
    ),
    DemoOrg("oosh_lugovoe", "oosh", 9, (1,) * 9, village=3, street="ул. Садовая", house="2", young_min=1),
    DemoOrg("oosh_zarechye", "oosh", 10, (1,) * 9, village=5, street="ул. Речная", house="14"),
    DemoOrg("nosh_berezovka", "nosh", 8, (1, 1, 1, 1), village=4, street="ул. Лесная", house="9"),
    DemoOrg("ds1", "kindergarten", 11, number=1, title="Солнышко", street="ул. Мира", house="8", young_min=1),
    DemoOrg("ds2", "kindergarten", 10, number=2, title="Ромашка", street="ул. Гагарина", house="17"),
    DemoOrg("ds4", "kindergarten", 9, number=4, title="Берёзка", street="ул. Первомайская", house="30"),
    DemoOrg("ds6", "kindergarten", 10, number=6, title="Теремок", street="ул. Строителей", house="4", young_min=1),
    DemoOrg("ds7", "kindergarten", 8, number=7, title="Колокольчик", street="ул. Заводская", house="21"),
    DemoOrg("ds_sosnovka", "kindergarten", 7, village=0, title="Ручеёк", street="ул. Школьная", house="5"),
    DemoOrg("ddt", "cdo", 12, title="ДДТ", street="ул. Октябрьская", house="10", young_min=1),
    DemoOrg("dyussh", "sport", 9, street="ул. Спортивная", house="1"),
    DemoOrg("imc", "imc", 7, street="ул. Ленина", house="5"),
]


def build_territories(ctx: DemoContext) -> None:
    ctx.region = registry.Territory.objects.create(name=REGION_NAME, kind=TerritoryKind.REGION, oktmo="98000000")
    ctx.municipalities.append(
        registry.Territory.objects.create(
            name=MUNICIPALITY_NAME, kind=TerritoryKind.MUNICIPALITY, parent=ctx.region, oktmo="98701000"
        )
    )


def build_organisations(ctx: DemoContext) -> None:
    municipality = ctx.municipality
    organisations = []
    for spec in DEMO_ORGANISATIONS:
        village = VILLAGES[spec.village] if spec.village is not None else None
        place = f"с. {village[0]}, Светлогорский м. о." if village else TOWN
        postcode = 187_700 + (spec.village + 20 if village is not None else len(organisations))
        slug = spec.key.replace("_", "-")
        org = make_organisation(
            ctx,
            municipality,
            spec.profile,
            address=f"{postcode}, {REGION_NAME}, {place}, {spec.street}, д. {spec.house}",
            email_slug=slug,
            number=spec.number,
            village=village,
            title=spec.title,
        )
        for name, value in spec.flags:
            setattr(org, name, value)
        organisations.append(org)
        classes = school_classes(*spec.classes) if spec.classes else [0] * 11
        ctx.plans.append(
            OrgPlan(
                org,
                spec.profile,
                spec.staff,
                classes,
                rural=village is not None,
                young_min=spec.young_min,
                key=spec.key,
            )
        )
    registry.Organisation.objects.bulk_create(organisations)


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------

# (login, role): one demo user of every role.
DEMO_USERS: list[tuple[str, str]] = [
    ("admin", Role.ADMIN),
    ("methodist", Role.METHODOLOGIST),
    ("nachalnik", Role.OBSERVER),
    ("koordinator", Role.COORDINATOR),
    ("uchitel", Role.TEACHER),
    ("nastavnik", Role.MENTOR),
    ("ekspert", Role.EXPERT),
    ("rukovoditel_rmo", Role.ASSOCIATION_HEAD),
]
DEMO_USERNAMES = [login for login, _ in DEMO_USERS]


def _pick(members: list[StaffMember], predicate, what: str) -> StaffMember:
    for member in members:
        if predicate(member):
            return member
    raise LookupError(f"В демо-данных не нашлось: {what}")


def build_users(ctx: DemoContext) -> None:
    today = ctx.today
    gymnasium = ctx.plan("gymnasium").members
    imc = ctx.plan("imc").members
    others = [m for key in ("sosh4", "sosh2", "sosh3", "sosh5") for m in ctx.plan(key).members]
    c = QualificationCategory

    def has_status(member: StaffMember, kind: str) -> bool:
        return any(s.kind == kind for s in member.statuses)

    teacher = _pick(
        gymnasium,
        lambda m: m.slot.key in ("subject", "primary") and m.person.is_young(today),
        "молодой учитель гимназии",
    )
    mentor = next(
        (m for m in gymnasium if has_status(m, PersonStatusKind.TEACHER_MENTOR) and m.slot.group == teacher.slot.group),
        None,
    ) or _pick(gymnasium, lambda m: has_status(m, PersonStatusKind.TEACHER_MENTOR), "наставник гимназии")
    expert = next((m for m in others if has_status(m, PersonStatusKind.EXPERT)), None) or _pick(
        others, lambda m: m.slot.key == "subject" and m.main.category == c.HIGHEST, "эксперт"
    )
    if not has_status(expert, PersonStatusKind.EXPERT):
        status = registry.PersonStatus(person=expert.person, kind=PersonStatusKind.EXPERT, since=today - days(400))
        status.save()
        expert.statuses.append(status)
    head = _pick(
        [m for m in others if m is not expert],
        lambda m: m.slot.group == "maths" and m.main.category in (c.HIGHEST, c.METHODIST) and m.experience(today) >= 15,
        "руководитель РМО учителей математики",
    )
    people: dict[str, StaffMember | None] = {
        "admin": None,
        "methodist": _pick(imc, lambda m: m.slot.key == "methodist", "методист ИМЦ"),
        "nachalnik": None,
        "koordinator": _pick(gymnasium, lambda m: m.slot.key == "deputy", "заместитель директора гимназии"),
        "uchitel": teacher,
        "nastavnik": mentor,
        "ekspert": expert,
        "rukovoditel_rmo": head,
    }
    scope = {
        "methodist": {"territory": ctx.municipality},
        "nachalnik": {"territory": ctx.region},
        "koordinator": {"organisation": ctx.plan("gymnasium").organisation},
    }
    for login, role in DEMO_USERS:
        member = people[login]
        if member is not None:
            first, last = member.person.first_name, member.person.last_name
        elif login == "admin":
            first, last = "Администратор", "системы"
        else:
            last, first, _ = random_full_name(ctx.rng, Gender.FEMALE, 1972)
        user = User(
            username=login,
            first_name=first,
            last_name=last,
            email=f"{login}@svetlogorsk-edu.example",
            person=member.person if member else None,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.create(user=user, role=role, **scope.get(login, {}))
        ctx.users[login] = user


# ---------------------------------------------------------------------------------------------
# The whole demo
# ---------------------------------------------------------------------------------------------


def demo_exists() -> bool:
    return registry.Territory.objects.filter(name=REGION_NAME, parent__isnull=True).exists()


def generate_demo(seed: int = DEFAULT_SEED, today: datetime.date | None = None) -> DemoContext:
    """Create the demo region, municipality, organisations, people, classes and users."""
    ctx = DemoContext.create(seed=seed, today=today)
    with transaction.atomic():
        build_territories(ctx)
        build_organisations(ctx)
        build_people(ctx)
        build_classes(ctx)
        build_users(ctx)
    return ctx


def delete_demo() -> None:
    """Remove everything the demo created (its region, organisations, people and users)."""
    from auditlog.context import disable_auditlog

    with transaction.atomic(), disable_auditlog():
        territories = registry.Territory.objects.filter(name=REGION_NAME, parent__isnull=True)
        municipalities = registry.Territory.objects.filter(parent__in=territories)
        organisations = registry.Organisation.objects.filter(territory__in=municipalities)
        User.objects.filter(username__in=DEMO_USERNAMES).delete()
        registry.TeachingAssignment.objects.filter(school_class__organisation__in=organisations).delete()
        registry.SchoolClass.objects.filter(organisation__in=organisations).delete()
        people = registry.Person.objects.filter(employments__organisation__in=organisations)
        registry.Person.objects.filter(pk__in=list(people.values_list("pk", flat=True).distinct())).delete()
        organisations.delete()
        municipalities.delete()
        territories.delete()


def login_rows() -> list[tuple[str, str, str, str]]:
    """(login, password, role, scope) of every demo user that exists."""
    users = (
        User.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("person")
        .prefetch_related("role_assignments__territory", "role_assignments__organisation")
    )
    by_name = {u.username: u for u in users}
    rows = []
    for login in DEMO_USERNAMES:
        user = by_name.get(login)
        if user is None:
            continue
        for assignment in user.role_assignments.all():
            kind = ROLE_SCOPE_KIND[assignment.role]
            if kind == ScopeKind.GLOBAL:
                scope = "вся система"
            elif kind == ScopeKind.TERRITORY:
                scope = str(assignment.territory)
            elif kind == ScopeKind.ORGANISATION:
                scope = str(assignment.organisation)
            else:
                person = user.person
                place = ""
                if person is not None:
                    job = person.employments.filter(kind=EmploymentKind.MAIN, end_date__isnull=True).first()
                    place = f", {job.organisation}" if job else ""
                scope = f"свой профиль: {person.short_name if person else '—'}{place}"
            rows.append((login, DEMO_PASSWORD, assignment.get_role_display(), scope))
    return rows


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)
