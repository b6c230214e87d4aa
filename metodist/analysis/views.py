"""Pages of the analysis. Views only orchestrate: scope, report builder, template or file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metodist.assessments.models import ClassAssessment, Procedure
from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for
from metodist.core.views_support import require, scoped_or_404
from metodist.registry.models import Organisation, Territory

from . import exports, reports, selectors, services
from .forms import ManualReferenceForm, ReferenceUploadForm, ThresholdsForm
from .models import AnalysisThresholds, ReferenceSet
from .permissions import CAPABILITY

ASSESSMENTS = selectors.ASSESSMENTS


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
        parent_visible=_covers(request.user, place.parent_id),
    )


@login_required
def school(request: HttpRequest, procedure: int, pk: int) -> HttpResponse:
    proc = scoped_or_404(Procedure, request.user, procedure)
    organisation = selectors.school_or_404(request.user, pk)
    analysis = reports.school_analysis(request.user, proc, organisation)
    if not analysis.rows:
        raise Http404
    return _page(
        request,
        "analysis/school.html",
        analysis,
        organisation=organisation,
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
