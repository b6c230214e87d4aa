"""Two «заявки на подтверждение» for the demo: the gymnasium's coordinator adds a new teacher, and a teacher
of another school who is taking a second job at the gymnasium. Both wait for the methodologist.

Needs the demo users, so it runs after the accounts' part (``DEMO_ORDER`` 20): call
:func:`build_match_requests` from a part that runs later, e.g. a ``DEMO_ORDER = 30`` module.
"""

from __future__ import annotations

import datetime

from metodist.core.permissions import Action
from metodist.registry import models as registry
from metodist.registry.choices import EmploymentKind, MatchRequestSource, QualificationCategory
from metodist.registry.services import person_create_with_employment

from .context import DemoContext, days


def build_match_requests(ctx: DemoContext) -> list[registry.PersonMatchRequest]:
    coordinator = ctx.users.get("koordinator")
    if coordinator is None:
        return []
    gymnasium = ctx.plan("gymnasium").organisation
    teacher = ctx.positions["Учитель"]
    requests = []
    new_teacher = person_create_with_employment(
        actor=coordinator,
        action=Action.CHANGE,
        person_values={
            "last_name": "Лебедева",
            "first_name": "Дарья",
            "patronymic": "Андреевна",
            "gender": "f",
            "birth_date": datetime.date(ctx.today.year - 23, 3, 14),
            "experience_start": ctx.today - days(60),
            "email": "lebedeva.da@svetlogorsk-edu.example",
        },
        employment_values={
            "organisation": gymnasium,
            "position": teacher,
            "subjects": [ctx.subjects["Английский язык"]] if "Английский язык" in ctx.subjects else [],
            "start_date": ctx.today - days(60),
            "category": QualificationCategory.NONE,
        },
        source=MatchRequestSource.FORM,
    )
    requests.append(new_teacher.request)
    # A teacher of another school, by name and birth date: the coordinator does not see them, the
    # methodologist of the municipality sees the match and confirms the second place of work.
    other = next(
        (m for m in ctx.staff if m.plan.organisation != gymnasium and m.person.birth_date and m.slot.key == "subject"),
        None,
    )
    if other is not None:
        person = other.person
        moved = person_create_with_employment(
            actor=coordinator,
            person_values={
                "last_name": person.last_name,
                "first_name": person.first_name,
                "patronymic": person.patronymic,
                "birth_date": person.birth_date,
            },
            employment_values={
                "organisation": gymnasium,
                "position": teacher,
                "kind": EmploymentKind.PART_TIME,
                "category": QualificationCategory.NONE,
            },
            source=MatchRequestSource.IMPORT,
            source_label="spisok_gimnazii.xlsx, строки 7",
        )
        requests.append(moved.request)
    return [r for r in requests if r is not None]
