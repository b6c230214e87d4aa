"""Pages of the import: upload → check and preview → confirm; templates; the history of uploads.

Checking and loading run as background jobs (see jobs.py): the upload and the confirmation queue a job and
send the user to its page, which shows the progress and then opens the preview.
"""

from __future__ import annotations

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for
from metodist.jobs.models import Job
from metodist.jobs.services import job_create
from metodist.registry.models import Organisation

from . import services
from .annotated import annotated_copy, annotated_filename
from .forms import ApplyForm, ReferenceDateForm, UploadForm
from .jobs import KIND_APPLY, KIND_CHECK
from .models import ImportBatch, ImportKind, ImportStatus
from .workbooks import build_template

TEMPLATE_FILENAMES = {
    ImportKind.STAFF: "Шаблон — список педагогических работников.xlsx",
    ImportKind.ORGANISATIONS: "Шаблон — список организаций.xlsx",
}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_required(view):
    """Only users who may load data (administrator, methodologist, coordinator) see the import pages."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can(request.user, Action.IMPORT):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _requested_organisation(request) -> int | None:
    """The organisation named in the request; 404 when it is not one the user may load into."""
    raw = request.POST.get("organisation") if request.method == "POST" else request.GET.get("organisation")
    if not raw:
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    get_object_or_404(Organisation.objects.visible_to(request.user, Action.IMPORT), pk=pk)
    return pk


@import_required
def upload(request):
    organisation_pk = _requested_organisation(request)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            organisation = form.cleaned_data["organisation"]
            job = job_create(
                owner=request.user,
                kind=KIND_CHECK,
                title=_("Проверка файла «%(name)s»") % {"name": uploaded.name},
                params={
                    "kind": form.cleaned_data["kind"],
                    "organisation": organisation.pk if organisation else None,
                    "reference_date": _iso(form.cleaned_data.get("reference_date")),
                },
                input_content=uploaded.read(),
                input_filename=uploaded.name,
            )
            return redirect(job)
    else:
        initial: dict = {}
        if organisation_pk:
            initial["organisation"] = organisation_pk
        if request.GET.get("kind") in ImportKind.values:
            initial["kind"] = request.GET["kind"]
        form = UploadForm(initial=initial, user=request.user)
    context = {
        "form": form,
        "can_import_organisations": services.can_import_organisations(request.user),
        "recent": ImportBatch.objects.visible_to(request.user).filter(created_by=request.user)[:5],
    }
    return render(request, "imports/upload.html", context)


@import_required
def download_template(request, kind: str):
    if kind not in ImportKind.values:
        raise Http404
    content = build_template(kind=kind, municipalities=services.municipalities_for_import(request.user))
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=TEMPLATE_FILENAMES[ImportKind(kind)],
        content_type=XLSX_CONTENT_TYPE,
    )


def _get_batch(request, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.visible_to(request.user).select_related("organisation__territory", "created_by"), pk=pk
    )


@import_required
def preview(request, pk: int):
    batch = _get_batch(request, pk)
    report = batch.report or {}
    context = {
        "batch": batch,
        "report": report,
        "preview_rows": report.get("preview", []),
        "error_rows": report.get("errors", []),
        "loading_job": Job.objects.active().filter(kind=KIND_APPLY, params__batch=batch.pk).first(),
    }
    return render(request, "imports/preview.html", context)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


@import_required
@require_POST
def recheck(request, pk: int):
    """Check the same file again with another reference date (experience given in years is counted from it)."""
    batch = _get_batch(request, pk)
    if batch.kind != ImportKind.STAFF or batch.status != ImportStatus.VALIDATED or not batch.file:
        raise Http404
    visible = Organisation.objects.visible_to(request.user, Action.IMPORT)
    if batch.organisation_id is None or not visible.filter(pk=batch.organisation_id).exists():
        raise Http404
    form = ReferenceDateForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reference_date", []):
            messages.error(request, str(error))
        return redirect(batch)
    with batch.file.open("rb") as handle:
        content = handle.read()
    job = job_create(
        owner=request.user,
        kind=KIND_CHECK,
        title=_("Проверка файла «%(name)s»") % {"name": batch.original_filename},
        params={
            "kind": batch.kind,
            "organisation": batch.organisation_id,
            "reference_date": _iso(form.cleaned_data["reference_date"]),
        },
        input_content=content,
        input_filename=batch.original_filename,
    )
    return redirect(job)


@import_required
@require_POST
def apply(request, pk: int):
    batch = _get_batch(request, pk)
    if batch.kind == ImportKind.STAFF:
        visible = Organisation.objects.visible_to(request.user, Action.IMPORT)
        if batch.organisation_id is None or not visible.filter(pk=batch.organisation_id).exists():
            raise Http404
    elif not services.can_import_organisations(request.user):
        raise PermissionDenied
    running = Job.objects.active().filter(kind=KIND_APPLY, params__batch=batch.pk).first()
    if running is not None:  # a second click while the first load runs
        return redirect(running)
    form = ApplyForm(request.POST)
    only_valid = form.is_valid() and form.cleaned_data["only_valid"]
    job = job_create(
        owner=request.user,
        kind=KIND_APPLY,
        title=_("Загрузка файла «%(name)s»") % {"name": batch.original_filename},
        params={"batch": batch.pk, "only_valid": only_valid},
    )
    return redirect(job)


@import_required
def errors_file(request, pk: int):
    """The user's own file with an «Ошибки» column, for a file whose rows have errors."""
    batch = _get_batch(request, pk)
    report = batch.report or {}
    if not batch.file or not report.get("errors"):
        raise Http404
    try:
        with batch.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:  # deleted after the retention period
        raise Http404 from exc
    annotated = annotated_copy(content=content, filename=batch.original_filename, report=report)
    return FileResponse(
        io.BytesIO(annotated),
        as_attachment=True,
        filename=annotated_filename(batch.original_filename),
        content_type=_content_type(batch.original_filename),
    )


def _content_type(filename: str) -> str:
    return XLSX_CONTENT_TYPE if filename.lower().endswith((".xlsx", ".xlsm")) else "text/csv"


@import_required
def history(request):
    batches = ImportBatch.objects.visible_to(request.user).select_related("organisation", "created_by")
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    context = {"page": page, "show_author": scope_for(request.user, Action.IMPORT).is_global}
    return render(request, "imports/history.html", context)
