"""The one task the worker runs for every job: it looks the job up and runs its handler (see runner.py)."""

from __future__ import annotations

from django_tasks import task

from .runner import job_run


@task()
def run_job(job_id: int) -> None:
    job_run(job_id=job_id)
