"""Pages of the analysis. Views only orchestrate: scope, report builder, template or file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metodist.assessments.models import ClassAssessment, Procedure
from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for
from metodist.core.views_support import require, scoped_or_404
from metodist.jobs.services import job_create
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Organisation, Territory

from . import chain, exports, reports, selectors, services
from .forms import ManualReferenceForm, ReferenceUploadForm, ThresholdsForm
from .jobs import KIND_CHAIN
from .models import AnalysisThresholds, ReferenceSet
from .permissions import CAPABILITY

ASSESSMENTS = selectors.ASSESSMENTS
COMPETENCES = chain.COMPETENCES


def _page(request: HttpRequest, template: str, analysis: reports.Analysis, **context: Any) -> HttpResponse:
    return render(
        request,
        template,
        {
            "analysis": analysis,
            "can_export": can(request.user, Action.EXPORT, ASSESSMENTS),
            "heatmap_chart": analysis.heatmap_chart() if analysis.rows else None,
            "tasks_chart": analysis.tasks_chart(),
            "distribution_chart": analysis.distribution_chart(),
            **context,
        },
    )


def _covers(user: Any, territory_pk: int | None) -> bool:
    """Whether the user's assessments scope covers the territory whole (for the breadcrumbs' links)."""
    scope = scope_for(user, Action.VIEW, ASSESSMENTS)
    return territory_pk is not None and (scope.is_global or territory_pk in scope.territory_ids)


# Index ------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The procedures whose results the user sees, with the entry points of their scope."""
    user = request.user
    require(user, Action.VIEW, ASSESSMENTS)
    visible = ClassAssessment.objects.visible_to(user)
    procedures = list(
        Procedure.objects.visible_to(user)
        .filter(Exists(visible.filter(procedure=OuterRef("pk"))))
        .select_related("subject")
        .order_by("-academic_year", "subject__name", "grade", "title")
    )
    counts = {
        row["procedure_id"]: row
        for row in visible.filter(procedure__in=procedures)
        .values("procedure_id")
        .annotate(classes=Count("pk"), schools=Count("organisation", distinct=True), participants=Sum("participants"))
        .order_by()
    }
    scope = scope_for(user, Action.VIEW, ASSESSMENTS)
    roots = list(
        Territory.objects.visible_to(user)
        .filter(pk__in=scope.territory_ids)
        .exclude(parent_id__in=scope.territory_ids)
        .order_by("kind", "name")
    )
    if scope.is_global:
        roots = list(Territory.objects.filter(parent__isnull=True).order_by("name"))
    schools = (
        list(Organisation.objects.visible_to(user).filter(pk__in=scope.organisation_ids).order_by("short_name"))
        if not roots
        else []
    )
    classes: dict[int, list[ClassAssessment]] = {}
    if scope.only_self:
        for assessment in (
            visible.filter(procedure__in=procedures)
            .select_related("organisation")
            .order_by("organisation__short_name", "class_label")
        ):
            classes.setdefault(assessment.procedure_id, []).append(assessment)
    rows = [{"procedure": p, "counts": counts.get(p.pk, {}), "classes": classes.get(p.pk, [])} for p in procedures]
    years = sorted({p.academic_year for p in procedures}, reverse=True)
    return render(
        request,
        "analysis/index.html",
        {
            "rows": rows,
            "roots": roots,
            "schools": schools,
            "years": years,
            "can_change_settings": can(user, Action.CHANGE, CAPABILITY),
        },
    )


# Territory, school, class ----------------------------------------------------------------------


@login_required
def territory(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    proc = scoped_or_404(Procedure, request.user, procedure)
    place = selectors.territory_or_404(request.user, pk)
    analysis = reports.territory_analysis(request.user, proc, place)
    return _page(
        request,
        "analysis/territory.html",
        analysis,
        territory=place,
        chain=_place_chain(
            request.user, proc, _inside(request.user, proc, place), _may_propose_in(request.user, place)
        ),
        parent_visible=_covers(request.user, place.parent_id),
    )


@login_required
def school(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    proc = scoped_or_404(Procedure, request.user, procedure)
    organisation = selectors.school_or_404(request.user, pk)
    analysis = reports.school_analysis(request.user, proc, organisation)
    if not analysis.rows:
        raise Http404
    classes = selectors.visible_class_assessments(request.user, proc).filter(organisation=organisation)
    return _page(
        request,
        "analysis/school.html",
        analysis,
        organisation=organisation,
        chain=_place_chain(request.user, proc, classes, chain.may_propose(request.user, organisation)),
        parent_visible=_covers(request.user, organisation.territory_id),
    )


@login_required
def class_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = scoped_or_404(
        ClassAssessment,
        request.user,
        pk,
        queryset=ClassAssessment.objects.select_related(
            "procedure",
            "procedure__subject",
            "organisation",
            "organisation__territory",
            "organisation__territory__parent",
        ),
    )
    analysis = reports.class_analysis(request.user, assessment)
    return _page(
        request,
        "analysis/class.html",
        analysis,
        assessment=assessment,
        chain=_class_chain(request.user, assessment),
        class_cells=analysis.matrix()[0]["cells"],
        school_visible=not scope_for(request.user, Action.VIEW, ASSESSMENTS).only_self,
        parent_visible=_covers(request.user, assessment.organisation.territory_id),
    )


# Exports ----------------------------------------------------------------------------------------


def _table(request: HttpRequest) -> str:
    return request.GET.get("table", "tasks")


@login_required
def territory_export(request: HttpRequest, procedure: int, pk: int) -> HttpResponseBase:
    require(request.user, Action.EXPORT, ASSESSMENTS)
    proc = scoped_or_404(Procedure, request.user, procedure)
    place = selectors.territory_or_404(request.user, pk, Action.EXPORT)
    analysis = reports.territory_analysis(request.user, proc, place, Action.EXPORT)
    return exports.table_response(request, analysis, _table(request), exports.TERRITORY_TABLES)


@login_required
def school_export(request: HttpRequest, procedure: int, pk: int) -> HttpResponseBase:
    require(request.user, Action.EXPORT, ASSESSMENTS)
    proc = scoped_or_404(Procedure, request.user, procedure)
    organisation = selectors.school_or_404(request.user, pk, Action.EXPORT)
    analysis = reports.school_analysis(request.user, proc, organisation, Action.EXPORT)
    if not analysis.rows:
        raise Http404
    return exports.table_response(request, analysis, _table(request), exports.SCHOOL_TABLES)


@login_required
def school_report(request: HttpRequest, procedure: int, pk: int) -> HttpResponseBase:
    """The school's analysis as a DOCX with ФИОКО's sections."""
    require(request.user, Action.EXPORT, ASSESSMENTS)
    proc = scoped_or_404(Procedure, request.user, procedure)
    organisation = selectors.school_or_404(request.user, pk, Action.EXPORT)
    analysis = reports.school_analysis(request.user, proc, organisation, Action.EXPORT)
    if not analysis.rows:
        raise Http404
    return exports.docx_response(request, analysis)


@login_required
def class_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Action.EXPORT, ASSESSMENTS)
    assessment = scoped_or_404(
        ClassAssessment,
        request.user,
        pk,
        Action.EXPORT,
        queryset=ClassAssessment.objects.select_related("procedure", "organisation", "organisation__territory"),
    )
    analysis = reports.class_analysis(request.user, assessment, Action.EXPORT)
    return exports.table_response(request, analysis, _table(request), exports.CLASS_TABLES)


# ШНОР -------------------------------------------------------------------------------------------


@login_required
def low_results(request: HttpRequest) -> HttpResponseBase:
    """Школы с низкими результатами: the rule over the year's procedures beside the registry's manual flag."""
    user = request.user
    require(user, Action.VIEW, ASSESSMENTS)
    scope = scope_for(user, Action.VIEW, ASSESSMENTS)
    if scope.only_self:
        raise Http404
    territories = list(
        Territory.objects.visible_to(user).filter(pk__in=scope.territory_ids).order_by("kind", "name")
        if not scope.is_global
        else Territory.objects.order_by("kind", "name")
    )
    if not territories:
        raise Http404  # a coordinator sees their school's flags on the school page
    try:
        chosen = int(request.GET.get("territory") or territories[0].pk)
        year = int(request.GET.get("year") or 0)
    except ValueError:
        return HttpResponseBadRequest(_("Неверное значение фильтра."))
    place = selectors.territory_or_404(user, chosen)
    years = sorted(
        set(
            Procedure.objects.filter(class_assessments__in=ClassAssessment.objects.visible_to(user).values("pk"))
            .values_list("academic_year", flat=True)
            .distinct()
        ),
        reverse=True,
    )
    if not year:
        year = years[0] if years else 0
    data = reports.low_results_schools(user, place, year) if year else {"rows": [], "procedures": []}
    if request.GET.get("format"):
        require(user, Action.EXPORT, ASSESSMENTS)
        return exports.low_results_response(request, data, place, year)
    return render(
        request,
        "analysis/low_results.html",
        {
            "territories": territories,
            "territory": place,
            "years": years,
            "year": year,
            "can_export": can(user, Action.EXPORT, ASSESSMENTS),
            **data,
        },
    )


# Thresholds -------------------------------------------------------------------------------------


@login_required
def thresholds_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, CAPABILITY)
    rows = list(AnalysisThresholds.objects.visible_to(request.user).select_related("territory", "changed_by"))
    scope = scope_for(request.user, Action.CHANGE, CAPABILITY)
    editable = (
        Territory.objects.order_by("kind", "name")
        if scope.is_global
        else Territory.objects.visible_to(request.user).filter(pk__in=scope.territory_ids).order_by("kind", "name")
    )
    return render(
        request,
        "analysis/thresholds_list.html",
        {
            "rows": rows,
            "defaults": selectors.thresholds_for(None) if not any(r.territory_id is None for r in rows) else None,
            "editable": list(editable),
            "can_edit_global": scope.is_global,
            "fields": ThresholdsForm.Meta.fields,
        },
    )


def _editable_territory(request: HttpRequest, territory_pk: int | None) -> Territory | None:
    scope = scope_for(request.user, Action.CHANGE, CAPABILITY)
    require(request.user, Action.CHANGE, CAPABILITY)
    if territory_pk is None:
        if not scope.is_global:
            raise Http404
        return None
    if not (scope.is_global or territory_pk in scope.territory_ids):
        raise Http404
    place: Territory = get_object_or_404(Territory.objects.visible_to(request.user), pk=territory_pk)
    return place


@login_required
def thresholds_edit(request: HttpRequest, territory: int | None = None) -> HttpResponse:
    place = _editable_territory(request, territory)
    instance = AnalysisThresholds.objects.filter(territory=place).first() or AnalysisThresholds(territory=place)
    if instance.pk is None and place is not None:
        inherited = selectors.thresholds_for(place)
        for name in ThresholdsForm.Meta.fields:
            setattr(instance, name, getattr(inherited, name))
    form = ThresholdsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.thresholds_save(actor=request.user, form=form)
        messages.success(request, _("Пороги сохранены."))
        return redirect("analysis:thresholds")
    return render(request, "analysis/thresholds_form.html", {"form": form, "territory": place})


@login_required
@require_POST
def thresholds_reset(request: HttpRequest, territory: int) -> HttpResponse:
    place = _editable_territory(request, territory)
    services.thresholds_reset(actor=request.user, territory=place)
    messages.success(request, _("Пороги территории сброшены: действуют пороги уровнем выше."))
    return redirect("analysis:thresholds")


# Reference figures ------------------------------------------------------------------------------


@login_required
def reference_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, CAPABILITY)
    sets = (
        ReferenceSet.objects.visible_to(request.user)
        .select_related("procedure", "territory", "loaded_by")
        .annotate(tasks=Count("task_rates"))
        .order_by("-procedure__academic_year", "procedure__title", "level", "territory__name")
    )
    return render(
        request,
        "analysis/reference_list.html",
        {"sets": sets, "can_change": can(request.user, Action.CHANGE, CAPABILITY)},
    )


@login_required
def reference_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    form = ReferenceUploadForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.reference_file_load(
            actor=request.user,
            procedure=form.cleaned_data["procedure"],
            region=form.cleaned_data["region"],
            upload=form.cleaned_data["file"],
        )
        if result.ok:
            messages.success(request, result.summary)
            return redirect("analysis:references")
    return render(request, "analysis/reference_upload.html", {"form": form, "result": result})


@login_required
def reference_manual(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    procedure = None
    if request.GET.get("procedure"):
        try:
            procedure = scoped_or_404(Procedure, request.user, int(request.GET["procedure"]))
        except ValueError:
            return HttpResponseBadRequest(_("Неверное значение фильтра."))
    form = ManualReferenceForm(request.POST or None, user=request.user, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        services.reference_manual_save(actor=request.user, **form.values())
        messages.success(request, _("Показатели сохранены."))
        return redirect("analysis:references")
    return render(request, "analysis/reference_manual.html", {"form": form, "procedure": procedure})


@login_required
@require_POST
def reference_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    item = get_object_or_404(ReferenceSet.objects.visible_to(request.user, Action.CHANGE), pk=pk)
    if not services.may_change_reference(request.user, item.procedure, item.territory):
        raise Http404
    services.reference_delete(actor=request.user, reference=item)
    messages.success(request, _("Показатели удалены."))
    return redirect("analysis:references")


# The chain «дефициты класса → дефициты учителя» -------------------------------------------------


def _inside(user: Any, procedure: Procedure, place: Territory) -> Any:
    visible = selectors.visible_class_assessments(user, procedure)
    if place.kind == TerritoryKind.REGION:
        return visible.filter(Q(organisation__territory=place) | Q(organisation__territory__parent=place))
    return visible.filter(organisation__territory=place)


def _may_propose_in(user: Any, place: Territory) -> bool:
    """A territory's run: the territory whole in the change scope of teachers' deficits."""
    scope = scope_for(user, Action.CHANGE, COMPETENCES)
    return scope.is_global or place.pk in scope.territory_ids


def _class_chain(user: Any, assessment: ClassAssessment) -> dict[str, Any]:
    """The class page's section: what the chain finds (for who may run it) and the proposals the user sees."""
    may = can(user, Action.CHANGE, COMPETENCES) and chain.may_propose(user, assessment.organisation)
    plans = chain.plan_classes(ClassAssessment.objects.filter(pk=assessment.pk), user=user, with_teachers=may)
    proposals = (
        chain.proposals_of(user, [assessment]).get(assessment.pk, []) if can(user, Action.VIEW, COMPETENCES) else []
    )
    return {"plan": plans[0] if plans else None, "can_propose": may, "proposals": proposals}


def _place_chain(user: Any, procedure: Procedure, classes: Any, may: bool) -> dict[str, Any]:
    """A school's or a territory's summary: the chain's proposals the user sees, by state."""
    if not can(user, Action.VIEW, COMPETENCES):
        return {"can_propose": False, "visible": False}
    summary = chain.summary_of(user, classes, procedure)
    return {
        "can_propose": may and can(user, Action.CHANGE, COMPETENCES),
        "visible": True,
        "total": summary.total,
        "counts": summary.counts,
        "teachers": summary.teachers,
    }


@login_required
@require_POST
def class_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """«Предложить дефициты учителям» for one class: runs at once, the page shows what was proposed."""
    assessment = scoped_or_404(
        ClassAssessment, request.user, pk, queryset=ClassAssessment.objects.select_related("organisation")
    )
    require(request.user, Action.CHANGE, COMPETENCES)
    if not chain.may_propose(request.user, assessment.organisation):
        raise Http404
    report = services.class_deficits_propose(
        user=request.user, assessments=ClassAssessment.objects.filter(pk=assessment.pk)
    )
    if report.proposed:
        messages.success(request, report.summary())
    else:
        messages.info(request, report.plans[0].outcome_text if report.plans else report.summary())
    return redirect(reverse("analysis:class", args=[assessment.pk]) + "#chain")


@login_required
@require_POST
def school_propose(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    """The same for every class of the school in the procedure: a background job with a progress bar."""
    proc = scoped_or_404(Procedure, request.user, procedure)
    organisation = selectors.school_or_404(request.user, pk)
    require(request.user, Action.CHANGE, COMPETENCES)
    if not chain.may_propose(request.user, organisation):
        raise Http404
    job = job_create(
        owner=request.user,
        kind=KIND_CHAIN,
        title=_("Предложение дефицитов учителям: %(school)s, «%(procedure)s»")
        % {"school": organisation.short_name, "procedure": proc.title},
        params={"procedure": proc.pk, "organisation": organisation.pk},
    )
    return redirect(job)


@login_required
@require_POST
def territory_propose(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    """The same for every class of a municipality or a region in the procedure (a job)."""
    proc = scoped_or_404(Procedure, request.user, procedure)
    place = selectors.territory_or_404(request.user, pk)
    require(request.user, Action.CHANGE, COMPETENCES)
    if not _may_propose_in(request.user, place):
        raise Http404
    job = job_create(
        owner=request.user,
        kind=KIND_CHAIN,
        title=_("Предложение дефицитов учителям: %(territory)s, «%(procedure)s»")
        % {"territory": place.name, "procedure": proc.title},
        params={"procedure": proc.pk, "territory": place.pk},
    )
    return redirect(job)


@login_required
def school_proposals(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    """The school's classes in the procedure: what the chain finds for each and the proposals made."""
    require(request.user, Action.VIEW, COMPETENCES)
    proc = scoped_or_404(Procedure, request.user, procedure)
    organisation = selectors.school_or_404(request.user, pk)
    classes = selectors.visible_class_assessments(request.user, proc).filter(organisation=organisation)
    may = can(request.user, Action.CHANGE, COMPETENCES) and chain.may_propose(request.user, organisation)
    plans = chain.plan_classes(classes, user=request.user, with_teachers=may)
    if not plans:
        raise Http404
    found = chain.proposals_of(request.user, [p.assessment for p in plans])
    return render(
        request,
        "analysis/proposals_school.html",
        {
            "procedure": proc,
            "organisation": organisation,
            "rows": [{"plan": p, "proposals": found.get(p.assessment.pk, [])} for p in plans],
            "can_propose": may,
            "thresholds_holder": {"thresholds": plans[0].thresholds},
            "parent_visible": _covers(request.user, organisation.territory_id),
        },
    )


@login_required
def territory_proposals(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    """A territory's schools in the procedure: classes, what the chain found, the proposals by state."""
    require(request.user, Action.VIEW, COMPETENCES)
    proc = scoped_or_404(Procedure, request.user, procedure)
    place = selectors.territory_or_404(request.user, pk)
    plans = chain.plan_classes(_inside(request.user, proc, place), user=request.user, with_teachers=False)
    found = chain.proposals_of(request.user, [p.assessment for p in plans])
    schools: dict[int, dict[str, Any]] = {}
    for plan in plans:
        organisation = plan.assessment.organisation
        row = schools.setdefault(
            organisation.pk,
            {"organisation": organisation, "classes": 0, "outcomes": {}, "deficits": []},
        )
        row["classes"] += 1
        outcome = chain.outcome_short(plan.outcome) if plan.outcome != "proposed" else _("есть что предложить")
        row["outcomes"][outcome] = row["outcomes"].get(outcome, 0) + 1
        row["deficits"].extend(found.get(plan.assessment.pk, []))
    rows = sorted(schools.values(), key=lambda r: r["organisation"].short_name)
    for row in rows:
        row["counts"] = chain.counts_by_state(row["deficits"])
        row["teachers"] = len({d.person_id for d in row["deficits"]})
    return render(
        request,
        "analysis/proposals_territory.html",
        {
            "procedure": proc,
            "territory": place,
            "rows": rows,
            "can_propose": _may_propose_in(request.user, place) and can(request.user, Action.CHANGE, COMPETENCES),
            "thresholds_holder": {"thresholds": selectors.thresholds_for(place)},
        },
    )
