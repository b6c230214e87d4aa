"""Pages of the jobs: one job with its progress bar, its result or its error; «Мои задания»."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from metodist.core.permissions import Action
from metodist.core.scoping import scope_for

from . import messages as job_messages
from . import services
from .models import Job, JobState
from .runner import side_progress

PER_PAGE = 25


def _get_job(request: HttpRequest, pk: int) -> Job:
    job: Job = get_object_or_404(Job.objects.visible_to(request.user).select_related("owner"), pk=pk)
    return job


def _fresh(job: Job) -> Job:
    """The job as it is now: reaped if its worker died, with progress written beside SQLite's lock."""
    services.job_reap(job_ids=[job.pk])
    job.refresh_from_db()
    if job.state == JobState.RUNNING:
        side = side_progress(job.pk)
        if side is not None and (job.heartbeat_at is None or side["heartbeat_at"] > job.heartbeat_at):
            job.progress_done, job.progress_total, job.message = (
                side["progress_done"],
                side["progress_total"],
                side["message"],
            )
    return job


def _finished_elsewhere(request: HttpRequest, job: Job) -> str | None:
    """A finished job whose result is a page of its own (an import's preview): show the outcome there."""
    if job.state == JobState.SUCCEEDED and job.result_url:
        if job.message:
            messages.success(request, job.message)
        return job.result_url
    if job.state == JobState.FAILED and job.result_url:
        messages.error(request, job.error)
        return job.result_url
    return None


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _fresh(_get_job(request, pk))
    target = _finished_elsewhere(request, job)
    if target:
        return redirect(target)
    return render(request, "jobs/detail.html", {"job": job})


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block, polled by htmx while the job runs; sends the browser on when the result is a page."""
    job = _fresh(_get_job(request, pk))
    target = _finished_elsewhere(request, job)
    if target:
        return HttpResponseClientRedirect(target)
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    if services.job_cancel(job=job):
        if job.state == JobState.RUNNING:
            messages.info(request, job_messages.CANCEL_REQUESTED)
    else:
        messages.warning(request, job_messages.CANNOT_CANCEL)
    return redirect(job)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    if services.job_retry(job=job):
        messages.info(request, job_messages.RETRIED)
    else:
        messages.warning(request, job_messages.CANNOT_RETRY)
    return redirect(job)


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file a job produced; only its owner (or an administrator) reaches it, never a public URL."""
    job = _get_job(request, pk)
    if job.state != JobState.SUCCEEDED or not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError:
        messages.error(request, job_messages.NO_RESULT_FILE % {"days": settings.RETENTION_DAYS})
        return redirect(job)
    return FileResponse(handle, as_attachment=True, filename=job.result_filename or "result")


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """«Мои задания»: the user's own jobs; an administrator sees everyone's."""
    jobs = Job.objects.visible_to(request.user).select_related("owner")
    page = Paginator(jobs, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show_owner": scope_for(request.user, Action.VIEW).is_global,
        "any_active": any(job.is_active for job in page.object_list),
    }
    return render(request, "jobs/list.html", context)
