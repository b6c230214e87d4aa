"""Routes of the analysis app for the canary walker; see metodist/core/tests/canary.py.

The canary school gets its own diagnostic (a procedure that belongs to it, so it is no shared
reference data), a class's results, a municipality's reference figures and thresholds — all marked.
"""

from __future__ import annotations

from decimal import Decimal

from metodist.core.tests.canary import variant

from .factories import Student, add_class, make_procedure


def build(world) -> None:
    from metodist.analysis.models import AnalysisThresholds, ReferenceSet, ReferenceTaskRate

    procedure = make_procedure(title=world.mark("Диагностика"), organisation=world.organisation)
    students = [
        Student(f"K{n:03d}", {t.number: (n + i) % (t.max_score + 1) for i, t in enumerate(procedure.tasks.all())}, 4)
        for n in range(12)
    ]
    assessment = add_class(
        procedure, world.organisation, "7К " + world.marker, students, school_class=world.school_class
    )
    reference = ReferenceSet.objects.create(
        procedure=procedure,
        level="municipality",
        territory=world.territory,
        group_name=world.mark("Группа"),
        source="file",
        source_name=world.mark("файл") + ".xlsx",
        mark2=Decimal(10),
        mark3=Decimal(40),
        mark4=Decimal(40),
        mark5=Decimal(10),
    )
    ReferenceTaskRate.objects.bulk_create(
        ReferenceTaskRate(reference=reference, task=task, rate=Decimal(50)) for task in procedure.tasks.all()
    )
    thresholds = AnalysisThresholds.objects.create(territory=world.territory, note=world.mark("Основание"))
    # A proposal of the chain «дефициты класса → дефициты учителя» for the canary teacher.
    from metodist.analysis import chain
    from metodist.competences.models import TeacherDeficit
    from metodist.competences.tests.factories import NodeFactory

    # Frameworks are reference data every user reads: the node carries no marker, the deficit does.
    node = NodeFactory(code="КАН.1", title="Показатель цепочки", framework__name="Рамка цепочки")
    procedure.tasks.update(competence_codes="КАН.1")
    TeacherDeficit.objects.create(
        person=world.person,
        organisation=world.organisation,
        node=node,
        source="assessment",
        source_ref=chain.source_ref(assessment.pk, node.pk),
        source_label=world.mark("Класс"),
        evidence=world.mark("Основания"),
        academic_year=procedure.academic_year,
        subject=procedure.subject,
    )
    world.extra["analysis"] = {
        "procedure": procedure,
        "assessment": assessment,
        "reference": reference,
        "thresholds": thresholds,
    }


def _a(world) -> dict:
    return world.extra["analysis"]


CANARY_ROUTES: dict = {
    "analysis:index": lambda w: [],
    "analysis:territory": lambda w: [
        variant(procedure=_a(w)["procedure"].pk, pk=w.territory.pk, hidden=True),
        variant(procedure=_a(w)["procedure"].pk, pk=w.region.pk, hidden=True),
    ],
    "analysis:territory_export": lambda w: [
        variant(procedure=_a(w)["procedure"].pk, pk=w.territory.pk, hidden=True, query={"table": "tasks"}),
        variant(procedure=_a(w)["procedure"].pk, pk=w.territory.pk, hidden=True, query={"table": "flags"}),
    ],
    "analysis:school": lambda w: [variant(procedure=_a(w)["procedure"].pk, pk=w.organisation.pk, hidden=True)],
    "analysis:school_export": lambda w: [
        variant(procedure=_a(w)["procedure"].pk, pk=w.organisation.pk, hidden=True, query={"table": "gaps"}),
    ],
    "analysis:school_report": lambda w: [
        variant(procedure=_a(w)["procedure"].pk, pk=w.organisation.pk, hidden=True),
    ],
    "analysis:class": lambda w: [variant(pk=_a(w)["assessment"].pk, hidden=True)],
    "analysis:class_propose": lambda w: [variant(pk=_a(w)["assessment"].pk, hidden=True)],
    "analysis:school_propose": lambda w: [variant(procedure=_a(w)["procedure"].pk, pk=w.organisation.pk, hidden=True)],
    "analysis:school_proposals": lambda w: [
        variant(procedure=_a(w)["procedure"].pk, pk=w.organisation.pk, hidden=True)
    ],
    "analysis:territory_propose": lambda w: [variant(procedure=_a(w)["procedure"].pk, pk=w.territory.pk, hidden=True)],
    "analysis:territory_proposals": lambda w: [
        variant(procedure=_a(w)["procedure"].pk, pk=w.territory.pk, hidden=True),
        variant(procedure=_a(w)["procedure"].pk, pk=w.region.pk, hidden=True),
    ],
    "analysis:class_export": lambda w: [
        variant(pk=_a(w)["assessment"].pk, hidden=True, query={"table": "students"}),
    ],
    "analysis:low_results": lambda w: [
        variant(query={"territory": w.territory.pk}, hidden=True),
        variant(query={"territory": w.region.pk, "year": 2025}, hidden=True),
    ],
    "analysis:thresholds": lambda w: [],
    "analysis:thresholds_global": lambda w: [],
    "analysis:thresholds_edit": lambda w: [variant(territory=w.territory.pk, hidden=True)],
    "analysis:thresholds_reset": lambda w: [variant(territory=w.territory.pk, hidden=True)],
    "analysis:references": lambda w: [],
    "analysis:reference_upload": lambda w: [],
    "analysis:reference_manual": lambda w: [variant(query={"procedure": _a(w)["procedure"].pk}, hidden=True)],
    "analysis:reference_delete": lambda w: [variant(pk=_a(w)["reference"].pk, hidden=True)],
    "api:analysis-class-list": lambda w: [],
    "api:analysis-class-detail": lambda w: [variant(pk=_a(w)["assessment"].pk, hidden=True)],
    "api:analysis-procedure-list": lambda w: [],
    "api:analysis-procedure-detail": lambda w: [
        variant(pk=_a(w)["procedure"].pk, hidden=True, query={"territory": w.territory.pk}),
        variant(pk=_a(w)["procedure"].pk, hidden=True, query={"school": w.organisation.pk}),
    ],
}
