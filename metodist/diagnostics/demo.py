"""The diagnostics' part of the demo (after the competences' frameworks and deficits).

A September diagnostic campaign of the municipality's mathematics teachers (the demo teacher «uchitel» takes
part too): a self-assessment on the subject-methodological indicators «ПМ-М» — most teachers submitted, some
are still filling it in, a few have not started — and lesson observations with the municipality's card by
the methodologist, the gymnasium's coordinator and the assigned expert. Levels below the threshold propose
deficits (through ``competences.services``); after the lessons some are confirmed and some rejected, with a
note that refers to the observation. A second card (the curator method) shows the engine's other use.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from metodist.competences.models import CompetenceNode, Framework, TeacherDeficit
from metodist.core.scoping import forget_scopes
from metodist.registry.demo.context import DemoContext, academic_year_start
from metodist.registry.models import Subject, TeachingAssignment

from . import services
from .choices import CardPurpose
from .models import Answer, Campaign, CardTemplate, Observation, Participant

DEMO_ORDER = 50

CAMPAIGN_TITLE = "Сентябрьская диагностика профессиональных дефицитов учителей математики"
CARD_TITLE = "Карта наблюдения урока математики"
CURATOR_TITLE = "Карта кураторского посещения (наставник — молодой педагог)"
FRAMEWORK_CODE = "ПМ-М"
INDICATORS = ["ПМ-М.2", "ПМ-М.3", "ПМ-М.4", "ПМ-М.5", "ПМ-М.7", "ПМ-М.10"]
LESSON_CRITERIA = [
    ("Учебные действия с числами: прикидка и проверка результата", "ПМ-М.2"),
    ("Работа с текстовой задачей: анализ условия, краткая запись, проверка ответа", "ПМ-М.3"),
    ("Построение математической модели практической ситуации", "ПМ-М.4"),
    ("Работа с таблицами, диаграммами и графиками", "ПМ-М.5"),
    ("Обоснование и доказательство: обучающиеся рассуждают вслух", "ПМ-М.7"),
    ("Цели урока названы и достигнуты; рефлексия в конце урока", None),
]
LABELS = ["не проявляется", "проявляется частично", "проявляется в полной мере"]
CURATOR_CRITERIA = [
    "Молодой педагог формулирует цель занятия и планирует результат",
    "Наставник даёт обратную связь по итогам посещения",
    "Согласованы следующие шаги индивидуального плана",
]
COMMENTS = {
    0: ["Не организовано на уроке.", "Задача решена учителем у доски, класс переписывал."],
    1: ["Частично: работали только сильные ученики.", "Было, но без проверки результата."],
    2: ["Хорошо: каждый ученик проверил ответ прикидкой.", "Обучающиеся сами объясняли решение."],
}
CONFIRM_NOTE = "Посещение урока подтвердило: включить в индивидуальный образовательный маршрут."
REJECT_NOTE = "На уроке умение проявлено уверенно; самооценка занижена — дефицит не подтверждается."
# Self-assessment: the points 0–4 of the questionnaire, weighted towards the middle.
POINT_WEIGHTS = [1, 3, 5, 6, 3]


def _level(framework: Framework, point: int) -> Decimal:
    low, high = framework.scale_min, framework.scale_max
    return (low + (high - low) * point / 4).quantize(Decimal("0.01"))


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    methodist = ctx.users.get("methodist")
    coordinator = ctx.users.get("koordinator")
    expert = ctx.users.get("ekspert")
    teacher = ctx.users.get("uchitel")
    framework = Framework.objects.filter(code=FRAMEWORK_CODE).order_by("-created_at").first()
    if methodist is None or framework is None:
        return
    year = academic_year_start(ctx.today)
    nodes = {n.code: n for n in CompetenceNode.objects.filter(framework=framework, code__in=INDICATORS)}
    indicators = [nodes[code] for code in INDICATORS if code in nodes]
    card = services.card_template_save(
        user=methodist,
        template=CardTemplate(
            title=CARD_TITLE,
            purpose=CardPurpose.LESSON,
            description="Наблюдатель отмечает, как на уроке формируются умения, по которым у обучающихся "
            "выявлены дефициты по результатам ВПР. Баллы: 0 — не проявляется, 1 — частично, 2 — в полной мере.",
            territory=ctx.municipality,
            framework=framework,
        ),
        criteria=[
            services.CriterionValues(
                title=title, node=nodes.get(code) if code else None, scale_max=2, scale_labels=tuple(LABELS)
            )
            for title, code in LESSON_CRITERIA
        ],
    )
    services.card_template_save(
        user=methodist,
        template=CardTemplate(
            title=CURATOR_TITLE,
            purpose=CardPurpose.CURATOR,
            description="Карта для кураторского метода: наставник и куратор посещают занятие молодого педагога.",
            territory=ctx.municipality,
        ),
        criteria=[services.CriterionValues(title=t, scale_max=2, scale_labels=tuple(LABELS)) for t in CURATOR_CRITERIA],
    )

    starts = datetime.date(year, 9, 1)
    campaign = services.campaign_create(
        user=methodist,
        title=CAMPAIGN_TITLE,
        description="Самооценка по предметно-методическим показателям и посещение уроков: основание для "
        "индивидуальных образовательных маршрутов на учебный год.",
        framework=framework,
        indicators=indicators,
        audience=services.Audience(territory=ctx.municipality, subject=Subject.objects.get(name="Математика")),
        starts_on=starts,
        ends_on=max(datetime.date(year, 9, 30), ctx.today + datetime.timedelta(days=14)),
        uses_self_assessment=True,
        uses_observation=True,
        card_template=card,
        experts=[expert] if expert is not None else [],
    )
    if teacher is not None and teacher.person_id:
        job = teacher.person.employments.filter(end_date__isnull=True).order_by("-kind", "pk").first()
        if job is not None:
            Participant.objects.get_or_create(
                campaign=campaign, person_id=teacher.person_id, defaults={"organisation": job.organisation}
            )
    services.campaign_open(user=methodist, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        opened_at=timezone.make_aware(datetime.datetime.combine(starts, datetime.time(9)))
    )

    participants = list(campaign.participants.select_related("person", "organisation").order_by("pk"))
    submitted_day = min(ctx.today, datetime.date(year, 9, 12))
    for index, participant in enumerate(participants):
        is_demo_teacher = teacher is not None and participant.person_id == teacher.person_id
        roll = rng.random()
        answered = indicators if roll < 0.65 and not is_demo_teacher else indicators[: rng.randint(1, 3)]
        if roll >= 0.85 and not is_demo_teacher:
            continue  # invited, not started
        for node in answered:
            point = rng.choices(range(5), weights=POINT_WEIGHTS)[0]
            Answer.objects.create(
                participant=participant,
                node=node,
                level=_level(framework, point),
                comment="Хочу разобрать на методобъединении." if point <= 1 and rng.random() < 0.3 else "",
            )
        started = timezone.make_aware(datetime.datetime.combine(submitted_day, datetime.time(18, index % 60)))
        Participant.objects.filter(pk=participant.pk).update(state="in_progress", started_at=started)
        if len(answered) == len(indicators):
            participant.refresh_from_db()
            author = getattr(participant.person, "user", None)
            services.self_assessment_results(participant=participant, author=author, submitted_at=started)

    _observations(ctx, campaign, card, framework, methodist, coordinator, expert, teacher)


def _observations(
    ctx: DemoContext,
    campaign: Campaign,
    card: CardTemplate,
    framework: Framework,
    methodist: Any,
    coordinator: Any,
    expert: Any,
    teacher: Any,
) -> None:
    """A few lessons seen with the card; the deficits the questionnaires proposed are confirmed or rejected."""
    rng = ctx.rng
    year = campaign.academic_year
    gymnasium = ctx.plan("gymnasium").organisation
    maths = Subject.objects.get(name="Математика")
    criteria = list(card.criteria.select_related("node").order_by("position"))
    with_deficits = list(
        Participant.objects.filter(campaign=campaign, state="submitted", results__deficit__isnull=False)
        .select_related("person", "organisation")
        .distinct()
        .order_by("pk")
    )
    if expert is not None:
        forget_scopes(expert)
    chosen = rng.sample(with_deficits, k=min(4, len(with_deficits)))
    if teacher is not None and teacher.person_id:
        own = Participant.objects.filter(campaign=campaign, person_id=teacher.person_id).first()
        if own is not None and own not in chosen:
            chosen.append(own)
    expert_busy = expert is None
    for number, participant in enumerate(chosen):
        in_gymnasium = participant.organisation_id == gymnasium.pk
        if in_gymnasium and coordinator is not None:
            observer = coordinator
        elif not expert_busy and participant.person_id != expert.person_id:
            observer, expert_busy = expert, True  # the assigned expert sees a lesson in another school
        else:
            observer = methodist
        assignment = (
            TeachingAssignment.objects.filter(person=participant.person, subject=maths)
            .select_related("school_class")
            .order_by("-school_class__academic_year", "school_class__grade")
            .first()
        )
        proposed = list(
            TeacherDeficit.objects.filter(person=participant.person, state="proposed", node__framework=framework)
        )
        observation = services.observation_save(
            user=observer,
            observation=Observation(
                template=card,
                campaign=campaign,
                person=participant.person,
                lesson_date=min(ctx.today, datetime.date(year, 9, 15 + number * 3)),
                school_class=assignment.school_class if assignment else None,
                subject=maths,
                topic=rng.choice(
                    ["Решение задач на проценты", "Обыкновенные дроби", "Графики зависимостей", "Задачи на движение"]
                ),
                notes="Рекомендовано: взаимопосещение уроков учителя-методиста, практикум по моделированию задач.",
            ),
            deficits=proposed,
        )
        deficient = {d.node_id for d in proposed}
        values: dict[int, tuple[int | None, str]] = {}
        for criterion in criteria:
            low = criterion.node_id in deficient and rng.random() < 0.6
            value = rng.choice([0, 1]) if low else rng.choice([1, 2, 2])
            values[criterion.pk] = (value, rng.choice(COMMENTS[value]))
        services.ratings_save(user=observer, observation=observation, values=values)
        services.observation_complete(user=observer, observation=observation)
        decider = coordinator if in_gymnasium and coordinator is not None else methodist
        for deficit in services.observation_deficits(observation).filter(state="proposed").order_by("pk"):
            if decider.person_id == deficit.person_id:
                continue
            rating = next((values[c.pk][0] for c in criteria if c.node_id == deficit.node_id), None)
            if rating is None or rng.random() < 0.25:
                continue  # left for the coordinator to decide
            services.observation_decide(
                user=decider,
                observation=observation,
                deficit=deficit,
                confirm=rating < 2,
                note=CONFIRM_NOTE if rating < 2 else REJECT_NOTE,
            )


def delete() -> None:
    campaigns = Campaign.objects.filter(title=CAMPAIGN_TITLE)
    templates = CardTemplate.objects.filter(title__in=[CARD_TITLE, CURATOR_TITLE])
    observations = Observation.objects.filter(Q(template__in=templates) | Q(campaign__in=campaigns))
    refs = Q(pk__in=[])
    for pk in campaigns.values_list("pk", flat=True):
        refs |= Q(source_ref__startswith=f"diagnostics.Campaign:{pk}:")
    for pk in observations.values_list("pk", flat=True):
        refs |= Q(source_ref__startswith=f"diagnostics.Observation:{pk}:")
    TeacherDeficit.objects.filter(refs).delete()
    observations.delete()
    campaigns.delete()
    templates.delete()
