"""Subjects, curriculum and staff plans: which jobs each organisation of the demo has."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .context import OrgPlan, Slot
from .data import (
    METHODIST_AREAS,
)

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
