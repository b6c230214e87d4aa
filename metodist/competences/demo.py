"""The competences' part of the demo (after the registry and the users).

It loads the professional standard «Педагог» (``standard.py``) and the subject-methodological indicators of
mathematics and Russian teachers (``subject_frameworks.py``), and gives the municipality's teachers the
deficits of a spring diagnostic of professional competences (source «внешнее тестирование») and of the
methodologist's lesson visits (source «выявлен методистом») — some proposed, some confirmed or rejected by
the methodologist and the gymnasium's coordinator with a note. Diagnostics campaigns and the analysis of
students' results add their own proposals in their parts.

Codes other parts may use in ``Task.competence_codes`` (see ``subject_frameworks`` for their meaning):
mathematics «ПМ-М.1» … «ПМ-М.10», Russian «ПМ-Р.1» … «ПМ-Р.10»; the standard's labour functions
«A/01.6», «A/02.6», «A/03.6», «B/01.5» … «B/05.6» and their items «A/01.6.ТД.5» (labour actions),
«B/04.6.НУ.4» (skills), «B/05.6.НЗ.2» (knowledge).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from metodist.accounts.models import User
from metodist.registry.demo.context import DemoContext, StaffMember, academic_year_start
from metodist.registry.models import Organisation

from .choices import DeficitSource
from .models import CompetenceNode, Framework, FrameworkUpload, TeacherDeficit
from .services import deficit_decide, deficit_propose
from .standard import STANDARD_CODE, load_professional_standard
from .subject_frameworks import MATHS, RUSSIAN, load_subject_frameworks

DEMO_ORDER = 35

TEST_LABEL = "Диагностика профессиональных компетенций (ЦНППМ), апрель {year}"
VISIT_LABEL = "Посещение уроков методистом, {month} {year}"
# Lesson-visit findings on the standard: the labour actions a methodologist most often notes.
VISIT_NODES = ["A/01.6.ТД.5", "A/01.6.ТД.6", "A/01.6.ТД.9", "A/03.6.ТД.3", "B/03.6.НУ.4"]
CONFIRM_NOTES = [
    "Посетили урок: подтверждается, включить в ИОМ.",
    "Подтверждено на уроке: работа с моделью задачи не организована.",
    "Беседа с педагогом и посещение двух уроков: дефицит подтверждается.",
]
REJECT_NOTES = [
    "На уроке умение формируется системно; низкий результат связан с составом класса.",
    "Не подтверждается: педагог работает по теме, результат теста случайный.",
]


def _subject_teachers(ctx: DemoContext, subject: str) -> list[StaffMember]:
    return [
        m
        for m in ctx.staff
        if m.plan.is_school and m.employment_subjects and subject in m.employment_subjects[0] and not m.main.end_date
    ]


def build(ctx: DemoContext) -> None:
    standard = load_professional_standard()
    load_subject_frameworks()
    rng = ctx.rng
    year = academic_year_start(ctx.today)
    april = year + 1 if 4 <= ctx.today.month <= 8 else year  # the last April's calendar year
    methodist = ctx.users.get("methodist")
    coordinator = ctx.users.get("koordinator")
    teacher_user = ctx.users.get("uchitel")
    gymnasium = ctx.plan("gymnasium").organisation
    decided_at = timezone.make_aware(
        datetime.datetime.combine(ctx.today - datetime.timedelta(days=12), datetime.time(15))
    )

    for definition in (MATHS, RUSSIAN):
        code, subject_name, _name, indicators = definition
        framework = Framework.objects.get(code=code, version="2025")
        nodes = list(CompetenceNode.objects.filter(framework=framework, parent__isnull=False).order_by("position"))
        teachers = _subject_teachers(ctx, subject_name)
        for member in teachers:
            if rng.random() > 0.45 and not (teacher_user and member.person.pk == teacher_user.person_id):
                continue
            for node in rng.sample(nodes, k=rng.randint(1, 3)):
                level = Decimal(rng.randint(28, 57))
                deficit = deficit_propose(
                    person=member.person,
                    organisation=member.plan.organisation,
                    node=node,
                    source=DeficitSource.TEST,
                    source_ref=f"demo.test:{april}:{code}",
                    source_label=TEST_LABEL.format(year=april),
                    evidence=f"Результат по показателю {node.code}: {level} из 100 "
                    f"при пороге {framework.proficiency_threshold:.0f}.",
                    level=level,
                    academic_year=year,
                    subject=framework.subject,
                )
                roll = rng.random()
                decider = coordinator if member.plan.organisation == gymnasium and coordinator else methodist
                if decider is None or (teacher_user and member.person.pk == teacher_user.person_id and roll < 0.5):
                    continue
                if roll < 0.45:
                    deficit_decide(deficit=deficit, user=decider, confirm=True, note=rng.choice(CONFIRM_NOTES))
                elif roll < 0.6:
                    deficit_decide(deficit=deficit, user=decider, confirm=False, note=rng.choice(REJECT_NOTES))

    visited = [
        m for m in ctx.staff if m.plan.is_school and not m.main.end_date and m.slot.key in ("subject", "primary")
    ]
    visit_nodes = {n.code: n for n in CompetenceNode.objects.filter(framework=standard, code__in=VISIT_NODES)}
    for member in rng.sample(visited, k=min(len(visited), 25)):
        node = visit_nodes[rng.choice(VISIT_NODES)]
        deficit_propose(
            person=member.person,
            organisation=member.plan.organisation,
            node=node,
            source=DeficitSource.MANUAL,
            source_ref=f"demo.visit:{year}:{member.person.pk}",
            source_label=VISIT_LABEL.format(month="октябрь", year=year),
            evidence="Урок посещён методистом ИМЦ; замечания в карте посещения.",
            academic_year=year,
        )
    if teacher_user is not None and teacher_user.person_id and coordinator is not None:
        _teacher_deficits(teacher_user, coordinator, gymnasium, standard, year)
    found_at = decided_at - datetime.timedelta(days=30)
    TeacherDeficit.objects.filter(source_ref__startswith="demo.").update(created_at=found_at)
    TeacherDeficit.objects.filter(source_ref__startswith="demo.", decided_at__isnull=False).update(
        decided_at=decided_at
    )


def _teacher_deficits(
    teacher_user: User, coordinator: User, gymnasium: Organisation, standard: Framework, year: int
) -> None:
    """The demo teacher («uchitel») sees one deficit in every state but «преодолён» on their page."""
    person = teacher_user.person
    assert person is not None
    nodes = {n.code: n for n in CompetenceNode.objects.filter(framework=standard)}
    plan = [
        ("A/01.6.ТД.5", "Анализ урока показал, что результаты урока не сопоставляются с его целями.", True),
        ("A/03.6.ТД.3", "Диагностика развития обучающихся на уроках не применяется.", None),
        ("A/02.6.НУ.4", "Вовлечение класса в работу на уроке вызывает затруднения.", False),
    ]
    for code, evidence, confirm in plan:
        deficit = deficit_propose(
            person=person,
            organisation=gymnasium,
            node=nodes[code],
            source=DeficitSource.MANUAL,
            source_ref=f"demo.visit:{year}:{teacher_user.person_id}:{code}",
            source_label=VISIT_LABEL.format(month="сентябрь", year=year),
            evidence=evidence,
            academic_year=year,
        )
        if confirm is not None:
            note = CONFIRM_NOTES[2] if confirm else REJECT_NOTES[0]
            deficit_decide(deficit=deficit, user=coordinator, confirm=confirm, note=note)


def delete() -> None:
    TeacherDeficit.objects.filter(source_ref__startswith="demo.").delete()
    FrameworkUpload.objects.all().delete()
    codes = [STANDARD_CODE, MATHS[0], RUSSIAN[0]]
    for framework in Framework.objects.filter(code__in=codes):
        if not TeacherDeficit.objects.filter(node__framework=framework).exists():
            framework.delete()
