"""Pages of the assessments: procedures with their tasks, loading result files (upload → preview → confirm),
a class's results. Views only orchestrate: reads are in ``selectors``, writes in ``services`` and ``jobs``.

An uploaded result file never touches the disk with names in it: the upload view keeps the request's file in
memory (:class:`MemoryOnlyUploadHandler`), drops the columns naming students, and only then hands the bytes
to the background job, which stores them.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from metodist.core.lists import list_context
from metodist.core.permissions import Action
from metodist.core.views_support import require, scoped_or_404
from metodist.jobs.models import Job
from metodist.jobs.services import job_create

from . import messages as app_messages
from . import selectors, services
from .choices import UploadStatus
from .filters import ProcedureFilter
from .forms import (
    ClassMappingForm,
    ProcedureForm,
    ResultUploadForm,
    SpecificationUploadForm,
    TaskFormSet,
    max_upload_bytes,
)
from .jobs import KIND_APPLY, KIND_CHECK
from .models import ClassAssessment, Procedure, ResultUpload, Task
from .permissions import CAPABILITY
from .readers import ReaderRefused, strip_personal_columns
from .readers.long import long_template
from .specification import read_specification, specification_template
from .tables import ClassResultsTable, ProcedureTable, UploadTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX)


# --- Procedures ---------------------------------------------------------------------------------------------


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, CAPABILITY)
    filterset = ProcedureFilter(request.GET, queryset=selectors.procedure_list(request.user))
    table = ProcedureTable(filterset.qs)
    context = list_context(request, filterset, table, capability=CAPABILITY)
    return render(request, "assessments/procedure_list.html", context)


@login_required
def procedure_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CHANGE, CAPABILITY)
    form = ProcedureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        procedure = form.save()
        messages.success(request, _("Процедура создана. Заполните спецификацию заданий."))
        return redirect("assessments:procedure_tasks", pk=procedure.pk)
    return render(request, "assessments/procedure_form.html", {"form": form, "title": _("Новая оценочная процедура")})


@login_required
def procedure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = scoped_or_404(Procedure, request.user, pk, Action.CHANGE)
    form = ProcedureForm(request.POST or None, instance=procedure, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Изменения сохранены."))
        return redirect(procedure)
    context = {"form": form, "procedure": procedure, "title": _("Процедура: %(title)s") % {"title": procedure.title}}
    return render(request, "assessments/procedure_form.html", context)


def _can_change(request: HttpRequest, procedure: Procedure) -> bool:
    return Procedure.objects.visible_to(request.user, Action.CHANGE).filter(pk=procedure.pk).exists()


@login_required
def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = scoped_or_404(
        Procedure, request.user, pk, queryset=Procedure.objects.select_related("subject", "organisation")
    )
    tasks = list(procedure.tasks.order_by("position"))
    max_total = sum(t.max_score for t in tasks)
    table = ClassResultsTable(selectors.procedure_classes(request.user, procedure), max_total=max_total)
    table.paginate(page=request.GET.get("page", 1), per_page=50)
    context = {
        "procedure": procedure,
        "tasks": tasks,
        "max_total": max_total,
        "table": table,
        "can_change": _can_change(request, procedure),
        "can_import": Procedure.objects.visible_to(request.user, Action.IMPORT).filter(pk=procedure.pk).exists(),
        "spec_form": SpecificationUploadForm(),
    }
    return render(request, "assessments/procedure_detail.html", context)


@login_required
def procedure_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """The editable tasks table of a procedure (its specification)."""
    procedure = scoped_or_404(Procedure, request.user, pk, Action.CHANGE)
    queryset = Task.objects.filter(procedure=procedure).order_by("position")
    formset = TaskFormSet(request.POST or None, queryset=queryset)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.task_specification_replace(procedure=procedure, rows=formset.spec_rows())  # type: ignore[attr-defined]
        except services.SpecificationRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, _("Спецификация заданий сохранена."))
            return redirect(procedure)
    context = {"procedure": procedure, "formset": formset, "errors": errors, "spec_form": SpecificationUploadForm()}
    return render(request, "assessments/procedure_tasks.html", context)


@login_required
@require_POST
def procedure_spec_import(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = scoped_or_404(Procedure, request.user, pk, Action.CHANGE)
    form = SpecificationUploadForm(request.POST, request.FILES)
    errors: list[dict[str, Any]] = []
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        reading = read_specification(uploaded.read(), uploaded.name)
        errors = reading.errors
        if not errors:
            try:
                tasks = services.task_specification_replace(procedure=procedure, rows=reading.rows)
            except services.SpecificationRejected as rejected:
                errors = rejected.errors
            else:
                messages.success(
                    request,
                    _("Спецификация загружена: заданий — %(count)s, максимальный первичный балл — %(total)s.")
                    % {"count": len(tasks), "total": sum(t.max_score for t in tasks)},
                )
                return redirect(procedure)
    formset = TaskFormSet(queryset=Task.objects.filter(procedure=procedure).order_by("position"))
    context = {"procedure": procedure, "formset": formset, "errors": errors, "spec_form": form}
    return render(request, "assessments/procedure_tasks.html", context, status=400)


@login_required
def specification_template_download(request: HttpRequest) -> FileResponse:
    require(request.user, Action.VIEW, CAPABILITY)
    return _xlsx(specification_template(), "Шаблон — спецификация заданий.xlsx")


@login_required
def procedure_spec_download(request: HttpRequest, pk: int) -> FileResponse:
    procedure = scoped_or_404(Procedure, request.user, pk)
    rows = list(
        procedure.tasks.order_by("position").values(
            "number", "max_score", "level", "checked_element", "planned_result", "codifier_codes", "literacy_type",
            "competence_codes",
        )
    )  # fmt: skip
    return _xlsx(specification_template(rows or None), f"Спецификация — {procedure.title[:100]}.xlsx")


# --- Loading results ------------------------------------------------------------------------------------------


class MemoryOnlyUploadHandler(MemoryFileUploadHandler):
    """Keeps an uploaded result file in memory whatever its size (up to the limit), never in a temporary file:
    the file may name students, and nothing is written anywhere before those columns are dropped."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.activated = content_length <= max_upload_bytes() + 1024 * 1024
        if not self.activated and self.request is not None:
            setattr(self.request, "assessments_upload_too_large", True)  # noqa: B010 -- a marker for the view


@csrf_exempt
def upload(request: HttpRequest) -> HttpResponseBase:
    """The upload page; the request's file stays in memory (the CSRF check runs after the handler is set)."""
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return _upload(request)


@csrf_protect
@login_required
def _upload(request: HttpRequest) -> HttpResponseBase:
    require(request.user, Action.IMPORT, CAPABILITY)
    initial: dict[str, Any] = {}
    if request.GET.get("procedure", "").isdigit():
        initial["procedure"] = int(request.GET["procedure"])
    form = ResultUploadForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and getattr(request, "assessments_upload_too_large", False):
        form.is_valid()
        form.add_error("file", _("Файл слишком большой: можно загрузить файл не больше %(limit)s МБ.") % {
            "limit": max_upload_bytes() // (1024 * 1024)
        })  # fmt: skip
    elif request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            content, dropped = strip_personal_columns(uploaded.read(), uploaded.name)
        except ReaderRefused as refused:
            for text in refused.messages:
                form.add_error("file", text)
        else:
            del uploaded  # the bytes with names are not kept a moment longer than needed
            procedure = form.cleaned_data["procedure"]
            organisation = form.cleaned_data["organisation"]
            job = job_create(
                owner=request.user,
                kind=KIND_CHECK,
                title=_("Проверка файла «%(name)s»") % {"name": form.cleaned_data["file"].name},
                params={
                    "procedure": procedure.pk,
                    "organisation": organisation.pk if organisation else None,
                    "file_format": form.cleaned_data["file_format"],
                    "dropped": dropped,
                },
                input_content=content,
                input_filename=form.cleaned_data["file"].name,
            )
            return redirect(job)
    context = {
        "form": form,
        "recent": ResultUpload.objects.visible_to(request.user).select_related("procedure")[:5],
    }
    return render(request, "assessments/upload.html", context)


def _get_upload(request: HttpRequest, pk: int) -> ResultUpload:
    upload: ResultUpload = get_object_or_404(
        ResultUpload.objects.visible_to(request.user).select_related("procedure__subject", "organisation"), pk=pk
    )
    return upload


@login_required
def upload_preview(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.IMPORT, CAPABILITY)
    upload_ = _get_upload(request, pk)
    report = upload_.report or {}
    classes = report.get("classes", [])
    mapping_form = ClassMappingForm(classes=classes) if upload_.status == UploadStatus.CHECKED else None
    loaded = (
        ClassAssessment.objects.visible_to(request.user).filter(upload=upload_).select_related("organisation")
        if upload_.status == UploadStatus.APPLIED
        else ClassAssessment.objects.none()
    )
    rows = []
    for planned in classes:
        name = f"class_{planned['class_key']}"
        field = mapping_form[name] if mapping_form is not None and name in mapping_form.fields else None
        rows.append({"class": planned, "field": field})
    dropped = upload_.dropped_columns or report.get("dropped_columns") or []
    context = {
        "upload": upload_,
        "report": report,
        "counts": report.get("counts", {}),
        "rows": rows,
        "mapping_form": mapping_form,
        "names_notice": (
            app_messages.NAMES_DROPPED % {"columns": ", ".join(f"«{c}»" for c in dropped)} if dropped else ""
        ),
        "loaded": loaded[:200],
        "loading_job": Job.objects.active().filter(kind=KIND_APPLY, params__upload=upload_.pk).first(),
    }
    return render(request, "assessments/upload_preview.html", context)


@login_required
@require_POST
def upload_apply(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.IMPORT, CAPABILITY)
    upload_ = _get_upload(request, pk)
    if not Procedure.objects.visible_to(request.user, Action.IMPORT).filter(pk=upload_.procedure_id).exists():
        raise Http404
    running = Job.objects.active().filter(kind=KIND_APPLY, params__upload=upload_.pk).first()
    if running is not None:
        return redirect(running)
    if upload_.status != UploadStatus.CHECKED:
        messages.error(request, _("Этот файл нельзя загрузить: он уже загружен или в нём есть ошибки."))
        return redirect(upload_)
    form = ClassMappingForm(request.POST, classes=(upload_.report or {}).get("classes", []))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(upload_)
    job = job_create(
        owner=request.user,
        kind=KIND_APPLY,
        title=_("Загрузка результатов «%(name)s»") % {"name": upload_.original_filename},
        params={"upload": upload_.pk, "mapping": form.mapping() if form.ordinals else None},
    )
    return redirect(job)


@login_required
def upload_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.IMPORT, CAPABILITY)
    uploads = ResultUpload.objects.visible_to(request.user).select_related("procedure")
    table = UploadTable(uploads)
    table.paginate(page=request.GET.get("page", 1), per_page=25)
    return render(request, "assessments/upload_list.html", {"table": table})


@login_required
def results_template_download(request: HttpRequest) -> FileResponse:
    require(request.user, Action.IMPORT, CAPABILITY)
    return _xlsx(long_template(), "Шаблон — результаты по заданиям.xlsx")


# --- A class's results -------------------------------------------------------------------------------------


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = scoped_or_404(
        ClassAssessment,
        request.user,
        pk,
        queryset=ClassAssessment.objects.select_related("procedure__subject", "organisation", "school_class"),
    )
    aggregates = selectors.class_tasks(assessment)
    students = selectors.class_students(assessment)
    paginator = Paginator(students, 100)
    rows = []
    for aggregate in aggregates:
        possible = aggregate.participants * aggregate.task.max_score
        rows.append({"aggregate": aggregate, "success": 100 * aggregate.points / possible if possible else None})
    context = {
        "assessment": assessment,
        "procedure": assessment.procedure,
        "rows": rows,
        "page": paginator.get_page(request.GET.get("page")),
        "tasks": [a.task for a in aggregates],
    }
    return render(request, "assessments/class_detail.html", context)
