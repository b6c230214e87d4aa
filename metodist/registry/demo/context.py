"""The demo's shared context: constants, names and identifiers, the plans of organisations."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from metodist.registry import models as registry
from metodist.registry.choices import (
    Gender,
    OrganisationKind,
)
from metodist.registry.querysets import years_before
from metodist.registry.validators import inn_with_checksum, is_valid_snils, ogrn_with_checksum, snils_with_checksum

from .data import (
    AGE_BANDS,
    FATHER_NAMES,
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    PATRONYMICS,
    SURNAMES,
    TRANSLIT,
)

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
    users: dict[str, Any] = field(default_factory=dict)  # login → user, filled by the accounts part
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
        from .staffing import REQUIRED_POSITIONS, REQUIRED_SUBJECTS  # staffing builds on this module

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
