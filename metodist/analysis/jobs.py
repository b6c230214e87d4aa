"""The chain «дефициты класса → дефициты учителя» over a school's or a territory's results, as a background job.

``analysis.chain`` — params ``{"procedure": id, "organisation": id}`` or ``{"procedure": id, "territory": id}``:
proposes deficits to the teachers of every class of that procedure in that school or territory that the owner
may reach (:func:`metodist.analysis.services.class_deficits_propose`); the result is the page of the proposals
made, the message the run's summary.
"""

from __future__ import annotations

from auditlog.context import set_actor
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.assessments.models import ClassAssessment
from metodist.jobs.registry import JobBudget, job_handler
from metodist.jobs.runner import JobContext
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Territory

from . import services

KIND_CHAIN = "analysis.chain"
PLANNING = _("Ищем слабые задания классов и их учителей…")
# A region's procedure: thousands of classes, a few proposals each (bench/analysis_pages.py has the scale).
BUDGET = JobBudget(time_limit=30 * 60, memory_limit=400)


@job_handler(KIND_CHAIN, label=_("Предложение дефицитов учителям по результатам классов"), budget=BUDGET)
def propose_deficits(context: JobContext) -> None:
    params = context.params
    procedure = int(params["procedure"])
    classes = ClassAssessment.objects.filter(procedure_id=procedure)
    if params.get("organisation"):
        organisation = int(params["organisation"])
        classes = classes.filter(organisation_id=organisation)
        context.result_url = reverse("analysis:school_proposals", args=[procedure, organisation])
    else:
        territory = Territory.objects.get(pk=int(params["territory"]))
        if territory.kind == TerritoryKind.REGION:
            classes = classes.filter(
                Q(organisation__territory=territory) | Q(organisation__territory__parent=territory)
            )
        else:
            classes = classes.filter(organisation__territory=territory)
        context.result_url = reverse("analysis:territory_proposals", args=[procedure, territory.pk])
    context.progress(0, 1, PLANNING, force=True)
    with set_actor(context.owner):
        report = services.class_deficits_propose(
            user=context.owner,
            assessments=classes,
            progress=lambda done, total: context.progress(done, total, PLANNING),
        )
    context.message = report.summary()
