"""Pages of the import: upload → check and preview → confirm; templates; the history of uploads."""

from __future__ import annotations

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from metodist.accounts.choices import Action
from metodist.core.scoping import can, scope_for
from metodist.registry.models import Organisation

from . import errors, services
from .forms import ApplyForm, UploadForm
from .models import ImportBatch, ImportKind
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
            batch = services.import_batch_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                content=uploaded.read(),
                filename=uploaded.name,
                organisation=form.cleaned_data["organisation"],
            )
            return redirect(batch)
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
        io.BytesIO(content), as_attachment=True, filename=TEMPLATE_FILENAMES[kind], content_type=XLSX_CONTENT_TYPE
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
    }
    return render(request, "imports/preview.html", context)


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
    form = ApplyForm(request.POST)
    only_valid = form.is_valid() and form.cleaned_data["only_valid"]
    try:
        report = services.import_batch_apply(batch=batch, user=request.user, only_valid=only_valid)
    except services.ImportRejected as exc:
        messages.error(request, exc.message)
        return redirect(batch)
    counts = report.counts()
    messages.success(
        request,
        errors.APPLIED % {"new": counts["new"], "updated": counts["updated"], "unchanged": counts["unchanged"]},
    )
    return redirect(batch)


@import_required
def history(request):
    batches = ImportBatch.objects.visible_to(request.user).select_related("organisation", "created_by")
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    context = {"page": page, "show_author": scope_for(request.user, Action.IMPORT).is_global}
    return render(request, "imports/history.html", context)
