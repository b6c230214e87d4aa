"""Retention of personal data in files: job inputs and results older than ``RETENTION_DAYS`` are deleted."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from .models import FINISHED_STATES, Job
from .periodic import periodic
from .services import job_reap

DEFAULT_TASK_BACKEND_ALIAS = "default"


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.RETENTION_DAYS)


def job_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the input and result files of jobs created before the cutoff. Returns how many files."""
    deleted = 0
    old = Job.objects.filter(created_at__lt=retention_cutoff(now), state__in=FINISHED_STATES).filter(
        ~Q(input_file="") | ~Q(result_file="")
    )
    for job in old.only("pk", "input_file", "result_file"):
        for field in (job.input_file, job.result_file):
            if field:
                field.storage.delete(field.name)
                deleted += 1
        Job.objects.filter(pk=job.pk).update(input_file="", result_file="")
    return deleted


@periodic("jobs.reap")
def reap_jobs() -> int:
    return job_reap()


@periodic("jobs.retention")
def expire_job_files() -> int:
    return job_files_expire()


@periodic("jobs.task_rows")
def prune_task_rows() -> bool:
    """The database task backend's own rows of finished tasks go after the retention period too."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return False
    call_command("prune_db_task_results", queue_name="*", min_age_days=settings.RETENTION_DAYS, verbosity=0)
    return True
