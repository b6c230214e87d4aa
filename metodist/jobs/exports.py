"""Large exports run as jobs: the list's export view is queued, then replayed by the worker.

An export view calls :func:`export_in_background` first. Above ``settings.JOBS_EXPORT_ROWS`` rows it
queues a job and sends the user to the job's page; the worker then calls the same view with the same
path, filters, user and client address (a request built for it, marked ``in_export_job``) and keeps the
file it returns, which the owner downloads from the job's page. So the scope, the filters, the columns and
the export audit record are the view's own, whether the file is made now or in the background.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.files import File
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import resolve
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .registry import JobRefused, job_handler
from .runner import JobContext
from .services import job_create

KIND_EXPORT = "jobs.export"
EXPORT_FORMATS = ("xlsx", "csv")
FORWARDED_META = ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR")

EXPORT_TITLE = _("Выгрузка: %(what)s (%(format)s)")
EXPORT_WRITING = _("Записано строк: %(done)s из %(total)s")
EXPORT_FAILED = _("Выгрузку сделать не удалось: %(status)s. Повторите её со страницы списка.")


def export_in_background(
    request: HttpRequest, *, queryset: QuerySet[Any], what: str | Promise
) -> HttpResponseRedirect | None:
    """A redirect to a queued export job when the export is large, else ``None`` (export now)."""
    file_format = request.GET.get("format", "xlsx")
    if getattr(request, "in_export_job", False) or file_format not in EXPORT_FORMATS:
        return None
    rows = queryset.count()
    if rows <= settings.JOBS_EXPORT_ROWS:
        return None
    job = job_create(
        owner=request.user,
        kind=KIND_EXPORT,
        title=EXPORT_TITLE % {"what": what, "format": file_format.upper()},
        params={
            "path": request.path,
            "query": request.GET.urlencode(),
            "rows": rows,
            "meta": {key: request.META[key] for key in FORWARDED_META if key in request.META},
        },
    )
    return redirect(job)


def _filename(response: HttpResponse) -> str:
    disposition = response.get("Content-Disposition", "")
    match = re.search(r"filename\*=utf-8''([^;]+)", disposition, re.IGNORECASE)
    if match:
        return unquote(match.group(1))
    match = re.search(r'filename="?([^";]+)"?', disposition)
    return match.group(1) if match else "export"


@job_handler(KIND_EXPORT, label=_("Выгрузка"))
def run_export(context: JobContext) -> None:
    params = context.params
    request = RequestFactory().get(params["path"], data=QueryDict(params["query"]), **params.get("meta", {}))
    request.user = context.owner
    request.in_export_job = True  # type: ignore[attr-defined]
    match = resolve(params["path"])
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        raise JobRefused(EXPORT_FAILED % {"status": response.status_code})
    total = int(params.get("rows") or 0)
    context.progress(0, total, EXPORT_WRITING % {"done": 0, "total": total}, force=True)
    is_csv = "text/csv" in response.get("Content-Type", "")
    with tempfile.TemporaryFile() as handle:
        lines = 0
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            if is_csv:
                lines += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
                done = min(max(lines - 1, 0), total)
                context.progress(done, total, EXPORT_WRITING % {"done": done, "total": total})
        # Not response.close(): that would send ``request_finished`` and close the database connections.
        streamed_file = getattr(response, "file_to_stream", None)
        if streamed_file is not None:
            streamed_file.close()
        handle.seek(0)
        context.save_result(File(handle), _filename(response))
    context.message = EXPORT_WRITING % {"done": total, "total": total}
