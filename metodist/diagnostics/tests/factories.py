"""Test data of the diagnostics: a small framework, campaigns with participants, card templates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from metodist.competences.choices import CompetenceArea, NodeKind
from metodist.competences.models import CompetenceNode, Framework
from metodist.diagnostics.choices import CampaignState
from metodist.diagnostics.models import Campaign, CardCriterion, CardTemplate, Participant

START = datetime.date(2025, 9, 1)


def framework_with_nodes(
    *, code: str = "TEST-FW", count: int = 3, scale_max: int = 4, threshold: Decimal = Decimal(3)
) -> tuple[Framework, list[CompetenceNode]]:
    """A framework with scale 0…``scale_max`` and threshold ``threshold``, and ``count`` indicators."""
    framework = Framework.objects.create(
        code=code,
        version="1",
        name=f"Рамка {code}",
        scale_min=Decimal(0),
        scale_max=Decimal(scale_max),
        proficiency_threshold=threshold,
    )
    nodes = [
        CompetenceNode.objects.create(
            framework=framework,
            kind=NodeKind.INDICATOR,
            code=f"{code}.{index}",
            title=f"Показатель {index}: умение планировать урок",
            position=index,
            areas=[CompetenceArea.METHODOLOGICAL],
        )
        for index in range(1, count + 1)
    ]
    return framework, nodes


def campaign_for(
    people_orgs, *, framework: Framework, nodes, territory, state: str = CampaignState.OPEN, **values
) -> Campaign:
    """A campaign of ``territory`` with participants given as (person, organisation) pairs."""
    values.setdefault("title", "Сентябрьская диагностика")
    values.setdefault("starts_on", START)
    values.setdefault("ends_on", START + datetime.timedelta(days=30))
    campaign = Campaign.objects.create(territory=territory, framework=framework, state=state, **values)
    campaign.indicators.set(nodes)
    for person, organisation in people_orgs:
        Participant.objects.create(campaign=campaign, person=person, organisation=organisation)
    return campaign


def card_for(*, territory, framework: Framework, nodes, title: str = "Карта урока") -> CardTemplate:
    """A card with one criterion per node (scale 0–2) and one criterion without a node."""
    card = CardTemplate.objects.create(title=title, territory=territory, framework=framework)
    for index, node in enumerate(nodes, start=1):
        CardCriterion.objects.create(
            template=card, position=index, title=f"Критерий {index}", node=node, scale_min=0, scale_max=2
        )
    CardCriterion.objects.create(template=card, position=len(nodes) + 1, title="Общая культура урока")
    return card
