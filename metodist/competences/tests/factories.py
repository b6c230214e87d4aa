"""factory_boy factories of the competences app, and a small framework tree for tests."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from metodist.competences import models
from metodist.competences.choices import CompetenceArea, DeficitSource, FrameworkKind, NodeKind


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = models.Framework

    code = factory.Sequence(lambda n: f"РК-{n}")
    version = "1"
    name = factory.Sequence(lambda n: f"Рамка {n}")
    kind = FrameworkKind.OTHER
    proficiency_threshold = Decimal(60)


class NodeFactory(DjangoModelFactory):
    class Meta:
        model = models.CompetenceNode

    framework = factory.SubFactory(FrameworkFactory)
    kind = NodeKind.INDICATOR
    code = factory.Sequence(lambda n: f"П.{n}")
    title = factory.Sequence(lambda n: f"Показатель {n}")
    position = factory.Sequence(lambda n: n)


class DeficitFactory(DjangoModelFactory):
    class Meta:
        model = models.TeacherDeficit

    node = factory.SubFactory(NodeFactory)
    source = DeficitSource.ASSESSMENT
    source_ref = factory.Sequence(lambda n: f"test:{n}")
    academic_year = 2025


def small_standard() -> dict[str, models.CompetenceNode]:
    """A tree shaped like the standard: A → A/01.6 (methodological) → two actions and a skill (digital);
    A/02.6 (psychological, communicative) → one action; a second framework: section ПМ-М (subject) → ПМ-М.1."""
    standard = FrameworkFactory(code="ПС", version="t", name="Стандарт", kind=FrameworkKind.PROFESSIONAL_STANDARD)
    subject_fw = FrameworkFactory(code="ПМ", version="t", name="Предметные", kind=FrameworkKind.SUBJECT_METHODOLOGICAL)
    nodes: dict[str, models.CompetenceNode] = {}

    def add(code, kind, parent=None, areas=(), framework=standard):
        nodes[code] = NodeFactory(
            framework=framework, code=code, kind=kind, parent=nodes.get(parent), areas=list(areas), title=f"Т {code}"
        )

    add("A", NodeKind.GENERALISED_FUNCTION)
    add("A/01.6", NodeKind.LABOUR_FUNCTION, "A", [CompetenceArea.METHODOLOGICAL])
    add("A/01.6.ТД.1", NodeKind.LABOUR_ACTION, "A/01.6")
    add("A/01.6.ТД.2", NodeKind.LABOUR_ACTION, "A/01.6")
    add("A/01.6.НУ.1", NodeKind.SKILL, "A/01.6", [CompetenceArea.DIGITAL])
    add("A/02.6", NodeKind.LABOUR_FUNCTION, "A", [CompetenceArea.PSYCHOLOGICAL, CompetenceArea.COMMUNICATIVE])
    add("A/02.6.ТД.1", NodeKind.LABOUR_ACTION, "A/02.6")
    add("ПМ-М", NodeKind.GROUP, None, [CompetenceArea.SUBJECT], subject_fw)
    add("ПМ-М.1", NodeKind.INDICATOR, "ПМ-М", (), subject_fw)
    return nodes
