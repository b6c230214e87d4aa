"""A real task worker (``manage.py db_worker`` against the test PostgreSQL database) killed mid-import.

The import's apply step is one transaction: killing the worker with SIGKILL while it writes leaves nothing
in the register. The job row stays «running» (the database task backend alone would leave it so for ever)
until the reaper notices that its heartbeat stopped and marks it failed, so that the user can retry.
"""

from __future__ import annotations

import datetime
import importlib
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from metodist.accounts.choices import Role
from metodist.accounts.tests.factories import user_with_role
from metodist.imports import services
from metodist.imports.jobs import KIND_APPLY, UNITS
from metodist.imports.models import ImportBatch, ImportKind, ImportStatus
from metodist.jobs import messages
from metodist.jobs.models import Job, JobState
from metodist.jobs.services import job_create, job_reap, job_retry
from metodist.registry.tests.factories import MunicipalityFactory, OrganisationFactory

from .worker import large_staff_list, start_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the reference data

ROWS = 800


def _register_counts() -> dict[str, int]:
    """Rows of every table the import could write to: the register, match requests, the audit log."""
    from auditlog.models import LogEntry
    from django.apps import apps

    models = [*apps.get_app_config("registry").get_models(), LogEntry]
    return {model._meta.label: model.objects.count() for model in models}


def _sessions_with_open_write_transactions() -> int:
    """Other database sessions inside a transaction that has written something (it holds a transaction id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return cursor.fetchone()[0]


def _load_reference_data() -> None:
    from django.apps import apps

    importlib.import_module("metodist.registry.migrations.0002_reference_data").load(apps, None)


def _wait_for(predicate, *, timeout: float, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited early: {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    pytest.fail("timed out waiting for the worker")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker runs against the test PostgreSQL database")
def test_worker_killed_mid_apply_writes_nothing_and_the_reaper_fails_the_job(tmp_path):
    _load_reference_data()
    organisation = OrganisationFactory(territory=MunicipalityFactory())
    user = user_with_role(Role.COORDINATOR, organisation=organisation)
    media = tmp_path / "media"
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with override_settings(STORAGES=storages, MEDIA_ROOT=media):
        batch = services.import_batch_create(
            user=user,
            kind=ImportKind.STAFF,
            content=large_staff_list(ROWS),
            filename="сеть.csv",
            organisation=organisation,
        )
    assert (batch.status, batch.rows_valid) == (ImportStatus.VALIDATED, ROWS), batch.report.get("errors", [])[:3]
    before = _register_counts()

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        job = job_create(owner=user, kind=KIND_APPLY, title="Загрузка сети", params={"batch": batch.pk})
    assert job.state == JobState.QUEUED and job.task_id

    worker = start_worker(tmp_path)
    try:
        # The bar passes the half-way mark when the check is done and the writing has begun.
        _wait_for(
            lambda: Job.objects.filter(pk=job.pk, progress_done__gt=UNITS // 2 + UNITS // 20).exists(),
            timeout=60,
            worker=worker,
        )
        seen = Job.objects.get(pk=job.pk)
        writing = _sessions_with_open_write_transactions()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert seen.state == JobState.RUNNING and seen.progress_done < UNITS  # it was killed mid-write
    assert writing >= 1  # the worker had written inside its transaction when it was killed
    assert _register_counts() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.applied_at is None

    job.refresh_from_db()
    assert job.state == JobState.RUNNING  # limbo: nobody will finish it
    assert job_reap() == 0  # its heartbeat is still recent
    later = timezone.now() + datetime.timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT + 1)
    assert job_reap(now=later) == 1
    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, str(messages.WORKER_LOST))
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        assert job_retry(job=job)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.VALIDATED
