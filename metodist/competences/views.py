"""Pages of the competences app. Views only orchestrate: scope, form, service or selector, template.

Frameworks are reference data (capability ``competence_frameworks``: everyone reads, methodologists and the
administrator edit and import). Deficits are the teacher's personal data (capability ``competences``): every
read goes through ``TeacherDeficit.objects.visible_to``; an out-of-scope deficit or person is a 404.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metodist.core.audit import record_view
from metodist.core.lists import export_response, list_context
from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for
from metodist.core.views_support import require, scoped_or_404
from metodist.jobs.exports import export_in_background
from metodist.registry.models import Person

from . import selectors, services
from .choices import DECIDABLE_STATES, CompetenceArea, DeficitState, RollupLevel
from .exports import DEFICIT_COLUMNS
from .filters import DeficitFilter, ReportFilter
from .forms import CloseForm, DecisionForm, FrameworkForm, FrameworkUploadForm, NodeForm, file_kind
from .framework_files import FrameworkFileError, ParsedFramework, parse_standard_xml, parse_tree_sheet, tree_template
from .models import CompetenceNode, Framework, FrameworkUpload, TeacherDeficit
from .panels import teacher_panels
from .permissions import CAPABILITY, FRAMEWORK_CAPABILITY
from .tables import DeficitTable

PREVIEW_NODES = 300

FRAMEWORK_SAVED = _("Рамка сохранена.")
NODE_SAVED = _("Элемент рамки сохранён.")
NODE_DELETED = _("Элемент рамки удалён.")
FRAMEWORK_IMPORTED = _("Рамка «%(name)s» загружена: %(count)s элементов.")
UPLOAD_GONE = _("Файл уже загружен или устарел: загрузите его снова.")


# Frameworks --------------------------------------------------------------------------------------------


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, FRAMEWORK_CAPABILITY)
    frameworks = (
        Framework.objects.select_related("subject")
        .annotate(node_count=Count("nodes"))
        .order_by("name", "-version", "id")
    )
    return render(
        request,
        "competences/framework_list.html",
        {
            "frameworks": frameworks,
            "can_change": can(request.user, Action.CHANGE, FRAMEWORK_CAPABILITY),
            "can_import": can(request.user, Action.IMPORT, FRAMEWORK_CAPABILITY),
        },
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW, FRAMEWORK_CAPABILITY)
    framework = get_object_or_404(Framework.objects.select_related("subject"), pk=pk)
    tree = selectors.framework_tree(framework)
    counts: dict[int, int] = {}
    if can(request.user, Action.VIEW, CAPABILITY):
        # Deficits per node, of the teachers the user may see (a teacher: their own).
        counts = dict(
            TeacherDeficit.objects.visible_to(request.user)
            .filter(node__framework=framework, state__in=(DeficitState.PROPOSED, DeficitState.CONFIRMED))
            .order_by()
            .values_list("node_id")
            .annotate(n=Count("pk"))
            .values_list("node_id", "n")
        )
    for item in tree:
        item.open_deficits = counts.get(item.node.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "competences/framework_detail.html",
        {
            "framework": framework,
            "tree": tree,
            "areas": CompetenceArea.choices,
            "can_change": can(request.user, Action.CHANGE, FRAMEWORK_CAPABILITY),
            "show_counts": can(request.user, Action.VIEW, CAPABILITY),
        },
    )


@login_required
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, FRAMEWORK_CAPABILITY)
    framework = get_object_or_404(Framework, pk=pk)
    form = FrameworkForm(request.POST or None, instance=framework)
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(framework=framework, user=request.user, values=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, FRAMEWORK_SAVED)
            return redirect(framework)
    return render(
        request,
        "competences/form.html",
        {"form": form, "title": _("Рамка: параметры"), "back": framework.get_absolute_url()},
    )


@login_required
def node_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, FRAMEWORK_CAPABILITY)
    framework = get_object_or_404(Framework, pk=pk)
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    parent = None
    if parent_id:
        if not str(parent_id).isdigit():
            raise Http404
        parent = get_object_or_404(CompetenceNode, pk=parent_id, framework=framework)
    return _node_form(request, framework=framework, node=None, parent=parent)


@login_required
def node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, FRAMEWORK_CAPABILITY)
    node = get_object_or_404(CompetenceNode.objects.select_related("framework"), pk=pk)
    return _node_form(request, framework=node.framework, node=node, parent=node.parent)


def _node_form(
    request: HttpRequest, *, framework: Framework, node: CompetenceNode | None, parent: CompetenceNode | None
) -> HttpResponse:
    initial = {"code": node.code, "kind": node.kind, "title": node.title, "areas": node.areas} if node else {}
    form = NodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.node_save(user=request.user, framework=framework, node=node, parent=parent, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, NODE_SAVED)
            return redirect(framework)
    title = _("Элемент рамки") if node else _("Новый элемент рамки")
    if parent is not None:
        title = f"{title} — {parent.code}"
    return render(
        request,
        "competences/form.html",
        {"form": form, "title": title, "back": framework.get_absolute_url(), "node": node, "parent": parent},
    )


@login_required
@require_POST
def node_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.CHANGE, FRAMEWORK_CAPABILITY)
    node = get_object_or_404(CompetenceNode.objects.select_related("framework"), pk=pk)
    framework = node.framework
    try:
        services.node_delete(user=request.user, node=node)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, NODE_DELETED)
    return redirect(framework)


@login_required
def framework_template(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, FRAMEWORK_CAPABILITY)
    response = HttpResponse(
        tree_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="shablon_ramki.xlsx"'
    return response


def _parse(filename: str, content: bytes) -> ParsedFramework:
    if file_kind(filename) == "xml":
        return parse_standard_xml(content)
    return parse_tree_sheet(content, filename)


@login_required
def framework_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file and the version's description. A bad file is listed with every problem; nothing stored."""
    require(request.user, Action.IMPORT, FRAMEWORK_CAPABILITY)
    form = FrameworkUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            _parse(upload.name, content)
        except FrameworkFileError as error:
            problems = error.messages
        else:
            params = {k: v for k, v in form.cleaned_data.items() if k != "file"}
            params["subject"] = params["subject"].pk if params["subject"] else None
            params["proficiency_threshold"] = str(params["proficiency_threshold"])
            stored = FrameworkUpload.objects.create(
                user=request.user,  # type: ignore[misc]  # login_required
                filename=upload.name[:255],
                content=content,
                params=params,
            )
            return redirect("competences:framework_upload_preview", pk=stored.pk)
    return render(request, "competences/framework_upload.html", {"form": form, "problems": problems})


@login_required
def framework_upload_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: what the file holds; the framework is created only when the user confirms."""
    require(request.user, Action.IMPORT, FRAMEWORK_CAPABILITY)
    upload = get_object_or_404(FrameworkUpload, pk=pk, user=request.user)
    parsed = _parse(upload.filename, bytes(upload.content))
    params: dict[str, Any] = dict(upload.params)
    problems: list[str] = []
    if request.method == "POST":
        from decimal import Decimal

        from metodist.registry.models import Subject

        subject_id = params.get("subject")
        subject = Subject.objects.filter(pk=subject_id).first() if subject_id else None
        try:
            framework = services.framework_import(
                parsed=parsed,
                user=request.user,  # type: ignore[arg-type]
                code=params["code"],
                version=params["version"],
                name=params.get("name") or "",
                kind=params["kind"],
                subject=subject,
                proficiency_threshold=Decimal(params["proficiency_threshold"]),
            )
        except ValidationError as error:
            problems = error.messages
        else:
            upload.delete()
            messages.success(request, FRAMEWORK_IMPORTED % {"name": framework.name, "count": len(parsed.nodes)})
            return redirect(framework)
    return render(
        request,
        "competences/framework_upload_preview.html",
        {
            "upload": upload,
            "parsed": parsed,
            "params": params,
            "nodes": parsed.nodes[:PREVIEW_NODES],
            "more": max(0, len(parsed.nodes) - PREVIEW_NODES),
            "problems": problems,
        },
    )


# Deficits ---------------------------------------------------------------------------------------------


@login_required
def deficit_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, CAPABILITY)
    filterset = DeficitFilter(request.GET, queryset=selectors.deficits_visible(request.user), user=request.user)
    table = DeficitTable(filterset.qs)
    context = list_context(request, filterset, table, capability=CAPABILITY)
    context["can_change"] = False  # deficits are proposed by diagnostics and analyses, not typed here
    context["can_import"] = False
    return render(request, "competences/deficit_list.html", context)


@login_required
def deficit_export(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Action.EXPORT, CAPABILITY)
    queryset = selectors.deficits_visible(request.user, Action.EXPORT)
    filterset = DeficitFilter(request.GET, queryset=queryset, user=request.user)
    deficits = filterset.qs.order_by("person__last_name", "person__first_name", "node__code", "id")
    what = _("Дефициты педагогов")
    queued = export_in_background(request, queryset=deficits, what=what)
    if queued:
        return queued
    return export_response(
        request,
        deficits,
        rows=_with_areas(deficits),
        filterset=filterset,
        columns=DEFICIT_COLUMNS,
        stem="deficity",
        what=what,
    )


def _with_areas(deficits: Any, chunk: int = 2000) -> Any:
    """The export's rows with their effective areas, read once for all the frameworks involved."""
    areas = selectors.effective_areas(CompetenceNode.objects.filter(pk__in=deficits.order_by().values("node_id")))
    for deficit in deficits.iterator(chunk_size=chunk):
        deficit.export_areas = areas.get(deficit.node_id, [])
        yield deficit


def _deficit_context(request: HttpRequest, deficit: TeacherDeficit) -> dict[str, Any]:
    user = request.user
    can_decide = (
        deficit.state in DECIDABLE_STATES
        and deficit.person_id != getattr(user, "person_id", None)
        and TeacherDeficit.objects.visible_to(user, Action.CHANGE).filter(pk=deficit.pk).exists()
    )
    tree = {item.node.pk: item for item in selectors.framework_tree(deficit.node.framework)}
    item = tree[deficit.node_id]
    return {
        "deficit": deficit,
        "ancestors": [tree[pk].node for pk in item.ancestor_ids],
        "area_labels": item.area_labels,
        "can_decide": can_decide,
        "can_close": can_decide and deficit.state == DeficitState.CONFIRMED,
        "history": LogEntry.objects.get_for_object(deficit).select_related("actor").order_by("-timestamp")[:50],
    }


@login_required
def deficit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW, CAPABILITY)
    deficit = scoped_or_404(TeacherDeficit, request.user, pk, queryset=selectors.deficit_rows())
    context = _deficit_context(request, deficit)
    context["form"] = DecisionForm(initial={"decision": "confirm"} if deficit.state == DeficitState.PROPOSED else None)
    context["close_form"] = CloseForm()
    return render(request, "competences/deficit_detail.html", context)


@login_required
@require_POST
def deficit_decide(request: HttpRequest, pk: int) -> HttpResponse:
    deficit = scoped_or_404(
        TeacherDeficit, request.user, pk, Action.CHANGE, queryset=selectors.deficits_visible(request.user)
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.deficit_decide(
                deficit=deficit,
                user=request.user,  # type: ignore[arg-type]
                confirm=form.confirm,
                note=form.cleaned_data["note"],
                decision_ref=form.cleaned_data["decision_ref"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, services.CONFIRMED if form.confirm else services.REJECTED)
            return redirect(deficit)
    context = _deficit_context(request, deficit)
    context.update(form=form, close_form=CloseForm())
    return render(request, "competences/deficit_detail.html", context, status=200)


@login_required
@require_POST
def deficit_close(request: HttpRequest, pk: int) -> HttpResponse:
    deficit = scoped_or_404(
        TeacherDeficit, request.user, pk, Action.CHANGE, queryset=selectors.deficits_visible(request.user)
    )
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.deficit_close(deficit=deficit, user=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, services.CLOSED)
            return redirect(deficit)
    context = _deficit_context(request, deficit)
    context.update(form=DecisionForm(), close_form=form)
    return render(request, "competences/deficit_detail.html", context)


# One teacher ----------------------------------------------------------------------------------------------


@login_required
def person_deficits(request: HttpRequest, pk: int) -> HttpResponse:
    """Дефициты педагога: grouped by area and labour function, with state, source, evidence and decisions."""
    require(request.user, Action.VIEW, CAPABILITY)
    person = scoped_or_404(Person, request.user, pk)
    record_view(request, person)
    deficits = list(
        selectors.deficits_visible(request.user).filter(person=person).order_by("node__position", "-created_at")
    )
    groups = selectors.person_deficit_groups(deficits)
    counts = {state: sum(1 for d in deficits if d.state == state) for state in DeficitState.values}
    return render(
        request,
        "competences/person_deficits.html",
        {
            "person": person,
            "groups": groups,
            "deficit_count": len(deficits),
            "counts": [(label, counts[value], value) for value, label in DeficitState.choices],
            "is_own": person.pk == getattr(request.user, "person_id", None),
            "can_decide": not scope_for(request.user, Action.CHANGE, CAPABILITY).is_empty
            and person.pk != getattr(request.user, "person_id", None),
            "panels": teacher_panels(request, person),
        },
    )


@login_required
def my_deficits(request: HttpRequest) -> HttpResponse:
    person_id = getattr(request.user, "person_id", None)
    if not person_id:
        raise Http404
    return redirect("competences:person_deficits", pk=person_id)


# The municipality's report ------------------------------------------------------------------------------


@login_required
def deficit_report(request: HttpRequest) -> HttpResponse:
    """The funnel «обследовано → выявлено дефицитов → подтверждено» and the roll-ups, for the user's scope."""
    require(request.user, Action.VIEW, CAPABILITY)
    if scope_for(request.user, Action.VIEW, CAPABILITY).only_self:
        raise PermissionDenied
    filterset = ReportFilter(request.GET, queryset=TeacherDeficit.objects.visible_to(request.user), user=request.user)
    deficits = filterset.qs
    year = filterset.form.cleaned_data.get("academic_year") if filterset.is_valid() else None
    funnel = selectors.deficit_funnel(deficits, user=request.user, academic_year=year)
    widest = max(funnel.surveyed, 1)
    steps = [
        (_("Обследовано педагогов"), funnel.surveyed),
        (_("Выявлены дефициты"), funnel.identified),
        (_("Дефициты подтверждены"), funnel.confirmed),
    ]
    bars = [
        {"label": label, "value": value, "width": round(100 * value / widest, 1), "y": index * 44}
        for index, (label, value) in enumerate(steps)
    ]
    return render(
        request,
        "competences/deficit_report.html",
        {
            "filter": filterset,
            "funnel": funnel,
            "bars": bars,
            "by_function": [r for r in selectors.rollup(deficits, by=RollupLevel.LABOUR_FUNCTION) if r.total],
            "by_area": selectors.rollup(deficits, by=RollupLevel.AREA),
            "query": request.GET.urlencode(),
        },
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
