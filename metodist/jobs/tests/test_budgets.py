"""Every job runs within a time and a memory budget declared by its kind; over it, the job fails whole."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from metodist.imports import errors
from metodist.imports.jobs import BUDGETS, KIND_APPLY, KIND_CHECK, import_budget
from metodist.imports.models import ImportBatch, ImportKind, ImportStatus
from metodist.imports.tests.utils import STAFF_HEADER, apply, counts, last_batch, staff_rows, upload, xlsx
from metodist.jobs import messages
from metodist.jobs.models import Job, JobState
from metodist.jobs.registry import JobBudget, job_kind
from metodist.jobs.runner import JobBudgetWatch, resident_memory
from metodist.jobs.services import job_create
from metodist.registry.models import Territory

from . import handlers

pytestmark = pytest.mark.django_db


def test_job_over_its_time_budget_fails_and_writes_nothing(client, world):
    owner = world.users["coordinator"]
    started = time.monotonic()
    job = job_create(owner=owner, kind=handlers.SLOW, title="Долгое")
    assert time.monotonic() - started < 2  # stopped at the budget, not after the 5 s loop
    assert job.state == JobState.FAILED
    assert job.error == messages.OVER_TIME % {"minutes": "0,01"}
    assert "Задание превысило отведённое время (0,01 мин)" in job.error
    assert not Territory.objects.filter(name__startswith="Не должна сохраниться").exists()
    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Задание превысило отведённое время" in page
    assert "Повторить" in page
    # The worker goes on: the next job runs as usual.
    assert job_create(owner=owner, kind=handlers.ECHO, title="Следующее").state == JobState.SUCCEEDED


def test_job_over_its_memory_budget_fails_and_writes_nothing(world):
    owner = world.users["coordinator"]
    before = resident_memory()
    job = job_create(owner=owner, kind=handlers.GREEDY, title="Жадное")
    assert job.state == JobState.FAILED, job.message
    assert job.error == messages.OVER_MEMORY % {"megabytes": 50}
    assert "Задание превысило отведённый объём памяти (50 МБ)" in job.error
    assert not Territory.objects.filter(name__startswith="Не должна сохраниться").exists()
    # What it held is given back, and the next job runs as usual.
    assert resident_memory() - before < 60 * 1024 * 1024
    assert job_create(owner=owner, kind=handlers.ECHO, title="Следующее").state == JobState.SUCCEEDED


def test_a_job_within_its_budget_succeeds():
    watch = JobBudgetWatch(JobBudget(time_limit=60, memory_limit=50))
    watch.check()  # nothing raised
    assert watch.elapsed() < 60


@override_settings(JOBS_DEFAULT_TIME_LIMIT=123, JOBS_DEFAULT_MEMORY_LIMIT=45)
def test_budget_figures_come_from_the_kind_or_the_settings():
    assert job_kind(handlers.ECHO).budget_for({}) == JobBudget(time_limit=123, memory_limit=45)
    assert job_kind(handlers.SLOW).budget_for({}) == JobBudget(time_limit=0.3, memory_limit=45)
    assert job_kind(handlers.GREEDY).budget_for({}) == JobBudget(time_limit=123, memory_limit=50)


def test_import_budget_follows_the_kind_of_list(world):
    staff, organisations = BUDGETS[ImportKind.STAFF], BUDGETS[ImportKind.ORGANISATIONS]
    assert staff.time_limit and organisations.time_limit and staff.time_limit < organisations.time_limit
    assert staff.memory_limit and organisations.memory_limit and staff.memory_limit < organisations.memory_limit
    assert import_budget({"kind": "staff"}) == staff
    assert import_budget({"kind": "organisations"}) == organisations
    assert import_budget({"batch": 0}) == JobBudget()  # an unknown batch: the defaults


def _checked_staff_list(client, world) -> ImportBatch:
    client.force_login(world.users["coordinator"])
    rows = len(staff_rows())
    upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    assert Job.objects.get(kind=KIND_CHECK).state == JobState.SUCCEEDED
    batch = last_batch()
    assert (batch.status, batch.rows_valid) == (ImportStatus.VALIDATED, rows), batch.report.get("errors", [])[:3]
    return batch


def test_a_normal_import_stays_within_its_budget(client, world):
    batch = _checked_staff_list(client, world)
    apply(client, batch)
    load = Job.objects.get(kind=KIND_APPLY)
    assert load.state == JobState.SUCCEEDED, load.error
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    applied = errors.APPLIED % {"new": batch.rows_new, "updated": batch.rows_updated, "unchanged": batch.rows_unchanged}
    assert load.message.startswith(str(applied))


def test_a_load_over_its_time_budget_rolls_back_whole(client, world, monkeypatch):
    batch = _checked_staff_list(client, world)
    before = counts()
    monkeypatch.setitem(BUDGETS, ImportKind.STAFF, JobBudget(time_limit=0.001))
    page = apply(client, batch)
    load = Job.objects.get(kind=KIND_APPLY)
    assert load.state == JobState.FAILED
    assert load.error == messages.OVER_TIME % {"minutes": "0,01"}
    assert counts() == before  # nothing half-written
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED  # still waits to be loaded: «Повторить» may try again
    assert "Задание превысило отведённое время" in page.content.decode()
