"""Pedagogical workers of the demo: employments, categories, courses, awards and statuses."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from metodist.registry import models as registry
from metodist.registry.choices import (
    AwardLevel,
    CourseFormat,
    EmploymentKind,
    Gender,
    PersonStatusKind,
    QualificationCategory,
)
from metodist.registry.querysets import years_before

from . import data
from .context import (
    BATCH_SIZE,
    DemoContext,
    OrgPlan,
    Slot,
    StaffMember,
    academic_year_start,
    add_years,
    days,
    phone_number,
    random_age,
    random_full_name,
    weighted,
)
from .data import (
    AREA_PROGRAMMES,
    AWARDS_MUNICIPAL,
    AWARDS_REGIONAL,
    COLLEGES,
    COURSE_PROVIDERS,
    GENERAL_PROGRAMMES,
    UNIVERSITIES,
)
from .staffing import TEACHING_KEYS, plan_staff

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
