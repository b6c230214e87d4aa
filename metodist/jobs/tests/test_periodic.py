"""``manage.py run_periodic``: the reaper and retention (files deleted after ``RETENTION_DAYS``)."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from metodist.imports.models import ImportBatch
from metodist.imports.tests.utils import STAFF_HEADER, last_batch, staff_rows, upload, xlsx
from metodist.jobs.models import Job, JobState
from metodist.jobs.periodic import registered
from metodist.jobs.services import job_create

from . import handlers

pytestmark = pytest.mark.django_db


def _age(model, pk: int, days: int) -> None:
    model.objects.filter(pk=pk).update(created_at=timezone.now() - datetime.timedelta(days=days))


def test_the_periodic_work_is_registered():
    assert {"jobs.reap", "jobs.retention", "imports.retention"} <= {work.name for work in registered()}


@override_settings(RETENTION_DAYS=30)
def test_job_files_are_deleted_after_the_retention_period(world):
    owner = world.users["coordinator"]
    old = job_create(owner=owner, kind=handlers.FILE, title="Старая выгрузка")
    fresh = job_create(owner=owner, kind=handlers.FILE, title="Свежая выгрузка")
    failed = Job.objects.create(owner=owner, kind=handlers.ECHO, title="Упало", state=JobState.FAILED)
    failed.input_file.save("input.xlsx", ContentFile(b"data"))
    for job in (old, failed):
        _age(Job, job.pk, 31)
    _age(Job, fresh.pk, 29)
    names = [old.result_file.name, failed.input_file.name]
    storage = old.result_file.storage

    call_command("run_periodic", stdout=io.StringIO())

    for job in (old, fresh, failed):
        job.refresh_from_db()
    assert not old.result_file and not failed.input_file
    assert not any(storage.exists(name) for name in names)
    assert fresh.result_file and storage.exists(fresh.result_file.name)


@override_settings(RETENTION_DAYS=30)
def test_uploaded_files_and_their_rows_are_deleted_after_the_retention_period(client, world):
    client.force_login(world.users["coordinator"])
    upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    batch = last_batch()
    name = batch.file.name
    storage = batch.file.storage
    assert storage.exists(name) and batch.report["preview"]
    _age(ImportBatch, batch.pk, 31)

    call_command("run_periodic", stdout=io.StringIO())

    batch.refresh_from_db()
    assert not batch.file and not storage.exists(name)
    assert "preview" not in batch.report and "errors" not in batch.report
    assert batch.rows_total == 3  # the history keeps the counts
    assert "Петрова" not in client.get(batch.get_absolute_url()).content.decode()


def test_reaper_runs_periodically(world):
    job = Job.objects.create(
        owner=world.users["coordinator"],
        kind=handlers.ECHO,
        title="Брошено",
        state=JobState.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=2),
    )
    call_command("run_periodic", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == JobState.FAILED


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, RETENTION_DAYS=30)
def test_finished_task_rows_of_the_database_backend_are_pruned_after_the_retention_period(world):
    from django_tasks_db.models import DBTaskResult

    old = job_create(owner=world.users["coordinator"], kind=handlers.ECHO, title="Старое")
    fresh = job_create(owner=world.users["coordinator"], kind=handlers.ECHO, title="Свежее")
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=timezone.now())
    DBTaskResult.objects.filter(id=old.task_id).update(finished_at=timezone.now() - datetime.timedelta(days=31))
    call_command("run_periodic", stdout=io.StringIO())
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [uuid.UUID(fresh.task_id)]
