"""Routes of the diagnostics app for the canary walker; see metodist/core/tests/canary.py.

The canary gets a campaign of its municipality (the canary teacher and the bridge take part from the canary
school), a card template of its municipality, the canary teacher's answers, results, an observation with
ratings, an attachment and a proposed deficit — every text marked. Nobody but the administrator may see any
of it: not school A's coordinator (who sees the bridge), not an expert, not a teacher.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from metodist.core.tests.canary import variant


def build(world) -> None:
    from metodist.competences import services as competences
    from metodist.diagnostics.choices import Method, ObservationState, ParticipantState
    from metodist.diagnostics.models import (
        Answer,
        Campaign,
        CardCriterion,
        CardTemplate,
        Observation,
        ObservationAttachment,
        Participant,
        Rating,
        Result,
    )

    from .factories import framework_with_nodes

    framework, nodes = framework_with_nodes(code="CANARY-FW", count=2)
    today = datetime.date(2025, 9, 15)
    card = CardTemplate.objects.create(
        title=world.mark("Карта"), description=world.mark("Описание"), territory=world.territory, framework=framework
    )
    criterion = CardCriterion.objects.create(
        template=card, title=world.mark("Критерий"), node=nodes[0], scale_min=0, scale_max=2, scale_labels=["0", "1"]
    )
    campaign = Campaign.objects.create(
        title=world.mark("Кампания"),
        description=world.mark("Описание"),
        territory=world.territory,
        organisation=world.organisation,
        framework=framework,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        state="open",
        uses_self_assessment=True,
        uses_observation=True,
        uses_test=True,
        card_template=card,
    )
    campaign.indicators.set(nodes)
    campaign.experts.set([world.user])
    participant = Participant.objects.create(
        campaign=campaign, person=world.person, organisation=world.organisation, state=ParticipantState.IN_PROGRESS
    )
    bridge = Participant.objects.create(campaign=campaign, person=world.bridge, organisation=world.organisation)
    Answer.objects.create(participant=participant, node=nodes[0], level=Decimal(1), comment=world.mark("Ответ"))
    Answer.objects.create(participant=bridge, node=nodes[0], level=Decimal(1), comment=world.mark("Мост"))
    deficit = competences.deficit_propose(
        person=world.person,
        organisation=world.organisation,
        node=nodes[0],
        source=Method.SELF_ASSESSMENT,
        source_ref=campaign.source_ref(person_id=world.person.pk, node_id=nodes[0].pk, method=Method.SELF_ASSESSMENT),
        source_label=world.mark("Источник"),
        evidence=world.mark("Основания"),
        level=Decimal(1),
        academic_year=2025,
    )
    result = Result.objects.create(
        campaign=campaign,
        participant=participant,
        person=world.person,
        organisation=world.organisation,
        node=nodes[0],
        method=Method.SELF_ASSESSMENT,
        level=Decimal(1),
        threshold=framework.proficiency_threshold,
        measured_on=today,
        source_label=world.mark("Самооценка"),
        evidence=world.mark("Основания"),
        deficit=deficit,
    )
    observation = Observation.objects.create(
        template=card,
        campaign=campaign,
        observer=world.user,
        person=world.person,
        organisation=world.organisation,
        lesson_date=today,
        school_class=world.school_class,
        topic=world.mark("Тема"),
        notes=world.mark("Замечания"),
        state=ObservationState.DRAFT,
    )
    observation.deficits.set([deficit])
    Rating.objects.create(observation=observation, criterion=criterion, value=1, comment=world.mark("Комментарий"))
    attachment = ObservationAttachment(observation=observation, original_filename=world.mark("план") + ".txt", size=10)
    attachment.file.save("plan.txt", ContentFile(("План урока " + world.marker).encode()), save=False)
    attachment.save()
    world.extra.update(
        diag_campaign=campaign,
        diag_participant=participant,
        diag_bridge_participant=bridge,
        diag_card=card,
        diag_observation=observation,
        diag_attachment=attachment,
        diag_deficit=deficit,
        diag_result=result,
    )


def _hidden(key: str):
    return lambda w: [variant(pk=w.extra[key].pk, hidden=True)]


CANARY_ROUTES = {
    "diagnostics:campaign_list": lambda w: [
        variant(query={"q": w.search_term}),
        variant(query={"state": "open"}),
        variant(query={"academic_year": "2025"}),
    ],
    "diagnostics:campaign_detail": _hidden("diag_campaign"),
    "diagnostics:campaign_open": _hidden("diag_campaign"),
    "diagnostics:campaign_close": _hidden("diag_campaign"),
    "diagnostics:campaign_remind": _hidden("diag_campaign"),
    "diagnostics:campaign_export": lambda w: [
        variant(pk=w.extra["diag_campaign"].pk, query={"format": "xlsx"}, hidden=True),
        variant(pk=w.extra["diag_campaign"].pk, query={"format": "csv"}, hidden=True),
    ],
    "diagnostics:campaign_test_upload": _hidden("diag_campaign"),
    "diagnostics:campaign_test_template": _hidden("diag_campaign"),
    "diagnostics:questionnaire": lambda w: [
        variant(pk=w.extra["diag_participant"].pk, hidden=True),
        variant(pk=w.extra["diag_bridge_participant"].pk, hidden=True),
    ],
    "diagnostics:answer_save": _hidden("diag_participant"),
    "diagnostics:card_detail": _hidden("diag_card"),
    "diagnostics:card_edit": _hidden("diag_card"),
    "diagnostics:card_copy": _hidden("diag_card"),
    "diagnostics:observation_list": lambda w: [
        variant(query={"q": w.search_term}),
        variant(query={"campaign": str(w.extra["diag_campaign"].pk)}),
        variant(query={"state": "draft"}),
    ],
    "diagnostics:observation_create": lambda w: [
        variant(query={"person": str(w.person.pk)}),
        variant(query={"person": str(w.bridge.pk), "campaign": str(w.extra["diag_campaign"].pk)}),
    ],
    "diagnostics:observation_detail": _hidden("diag_observation"),
    "diagnostics:observation_edit": _hidden("diag_observation"),
    "diagnostics:observation_decide": lambda w: [
        variant(pk=w.extra["diag_observation"].pk, deficit_pk=w.extra["diag_deficit"].pk, hidden=True)
    ],
    "diagnostics:attachment_upload": _hidden("diag_observation"),
    "diagnostics:attachment_download": _hidden("diag_attachment"),
    "diagnostics:attachment_delete": _hidden("diag_attachment"),
    "api:diagnostic-campaign-detail": _hidden("diag_campaign"),
    "api:diagnostic-participant-detail": lambda w: [
        variant(pk=w.extra["diag_participant"].pk, hidden=True),
        variant(pk=w.extra["diag_bridge_participant"].pk, hidden=True),
    ],
    "api:diagnostic-result-detail": _hidden("diag_result"),
    "api:lesson-observation-detail": _hidden("diag_observation"),
    "api:diagnostic-result-list": lambda w: [
        variant(query={"campaign": str(w.extra["diag_campaign"].pk)}),
        variant(query={"below": "true"}),
    ],
    "api:diagnostic-participant-list": lambda w: [variant(query={"person": str(w.bridge.pk)})],
}
