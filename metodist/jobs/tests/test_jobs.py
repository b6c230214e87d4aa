"""The job row and its pages: progress, result, error, cancel, retry, the reaper and «Мои задания»."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from metodist.jobs import messages
from metodist.jobs.models import Job, JobState
from metodist.jobs.runner import job_progress
from metodist.jobs.services import job_cancel, job_create, job_reap, job_retry
from metodist.registry.models import Territory

from . import handlers

pytestmark = pytest.mark.django_db


def _queued(owner, kind=handlers.ECHO, **fields) -> Job:
    """A job as the web server leaves it for a worker (the immediate test backend would run it at once)."""
    return Job.objects.create(owner=owner, kind=kind, title="Тестовое задание", **fields)


def test_job_runs_records_progress_and_result(world):
    job = job_create(owner=world.users["coordinator"], kind=handlers.ECHO, title="Эхо", params={"say": "Сделано"})
    assert job.state == JobState.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.message == "Сделано"
    assert job.attempts == 1
    assert job.started_at and job.finished_at and job.heartbeat_at
    assert job.task_id


def test_failed_job_shows_error_and_can_be_retried(client, world):
    owner = world.users["coordinator"]
    job = job_create(owner=owner, kind=handlers.CRASH, title="Падает в первый раз")
    assert job.state == JobState.FAILED
    assert job.error == str(messages.CRASHED)
    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert str(messages.CRASHED) in page
    assert "Повторить" in page
    assert "Отменить" not in page

    response = client.post(reverse("jobs:retry", args=[job.pk]), follow=True)
    assert str(messages.RETRIED) in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == (JobState.SUCCEEDED, 2, "")


def test_refused_job_keeps_its_reason(world):
    job = job_create(owner=world.users["coordinator"], kind=handlers.REFUSE, title="Отказ")
    assert (job.state, job.error) == (JobState.FAILED, "Нельзя: так сказали в тесте")


def test_cancelling_a_queued_job_means_it_never_runs(client, world):
    from metodist.jobs.runner import job_run

    owner = world.users["coordinator"]
    job = _queued(owner)
    client.force_login(owner)
    assert "Отменить" in client.get(job.get_absolute_url()).content.decode()
    client.post(reverse("jobs:cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    job_run(job_id=job.pk)  # the worker picks the task up later
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.CANCELLED, 0)
    assert not job_cancel(job=job)


def test_cancelling_a_running_job_rolls_its_work_back(world):
    job = job_create(owner=world.users["coordinator"], kind=handlers.WRITES_THEN_CANCELLED, title="Отменяется")
    assert job.state == JobState.CANCELLED
    assert job.error == str(messages.CANCELLED)
    assert not Territory.objects.filter(name="Не должна сохраниться").exists()


def test_retry_only_for_failed_or_cancelled(world):
    job = job_create(owner=world.users["coordinator"], kind=handlers.ECHO, title="Эхо")
    assert not job_retry(job=job)
    assert job.state == JobState.SUCCEEDED


def test_reaper_gives_up_jobs_whose_worker_stopped(world):
    owner = world.users["coordinator"]
    now = timezone.now()
    stale = _queued(owner, state=JobState.RUNNING, heartbeat_at=now - datetime.timedelta(minutes=5), attempts=1)
    alive = _queued(owner, state=JobState.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=5), attempts=1)
    waiting = _queued(owner)
    assert job_reap(now=now) == 1
    for job in (stale, alive, waiting):
        job.refresh_from_db()
    assert (stale.state, stale.error) == (JobState.FAILED, str(messages.WORKER_LOST))
    assert alive.state == JobState.RUNNING
    assert waiting.state == JobState.QUEUED
    assert stale.can_retry


def test_job_page_reaps_its_own_stale_job(client, world):
    owner = world.users["coordinator"]
    job = _queued(owner, state=JobState.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(owner)
    response = client.get(reverse("jobs:progress", args=[job.pk]))
    assert str(messages.WORKER_LOST) in response.content.decode()
    assert "hx-trigger" not in response.content.decode()  # the polling stops


def test_progress_block_polls_while_the_job_runs(client, world):
    owner = world.users["coordinator"]
    job = _queued(owner, state=JobState.RUNNING, heartbeat_at=timezone.now(), progress_done=30, progress_total=120)
    client.force_login(owner)
    page = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="25"' in page
    assert 'data-progress="25"' in page


def test_finished_job_with_a_result_page_sends_the_browser_there(client, world):
    owner = world.users["coordinator"]
    job = job_create(owner=owner, kind=handlers.ECHO, title="Эхо", params={"url": "/imports/", "say": "Готово!"})
    client.force_login(owner)
    response = client.get(reverse("jobs:progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/imports/"
    response = client.get(job.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == "/imports/"


def test_result_file_is_downloaded_by_its_owner_only(client, world):
    owner = world.users["coordinator"]
    job = job_create(owner=owner, kind=handlers.FILE, title="Файл")
    assert job.state == JobState.SUCCEEDED and job.result_file
    assert job.result_file.name.startswith("jobs/results/")
    client.force_login(owner)
    assert "Скачать файл" in client.get(job.get_absolute_url()).content.decode()
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a;b\r\n1;2\r\n"
    assert 'filename="result.csv"' in response["Content-Disposition"]
    # The file itself has no public address: the media folder is not served by any URL.
    assert client.get(f"/{settings.MEDIA_URL}{job.result_file.name}").status_code == 404
    client.logout()
    assert client.get(f"/{settings.MEDIA_URL}{job.result_file.name}").status_code in (302, 404)


@pytest.mark.parametrize("name", ["detail", "progress", "download"])
def test_another_users_job_is_not_found(client, world, name):
    job = job_create(owner=world.users["coordinator"], kind=handlers.FILE, title="Чужой файл")
    client.force_login(world.users["methodologist"])
    assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404
    client.force_login(world.users["admin"])
    assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("name", ["cancel", "retry"])
def test_another_user_cannot_cancel_or_retry(client, world, name):
    job = _queued(world.users["coordinator"])
    client.force_login(world.users["teacher"])
    assert client.post(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


def test_anonymous_is_sent_to_login(client, world):
    job = _queued(world.users["coordinator"])
    assert client.get(job.get_absolute_url()).status_code == 302


def test_my_jobs_lists_own_jobs_only_in_constant_queries(client, world, django_assert_max_num_queries):
    coordinator, methodologist = world.users["coordinator"], world.users["methodologist"]
    mine = [Job.objects.create(owner=coordinator, kind=handlers.ECHO, title=f"Моё {n}") for n in range(2)]
    theirs = Job.objects.create(owner=methodologist, kind=handlers.ECHO, title="Чужое задание")
    client.force_login(coordinator)
    with django_assert_max_num_queries(12) as few:
        page = client.get(reverse("jobs:list")).content.decode()
    assert all(job.title in page for job in mine)
    assert theirs.title not in page
    for n in range(20):
        Job.objects.create(owner=coordinator, kind=handlers.ECHO, title=f"Ещё {n}")
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("jobs:list"))

    client.force_login(world.users["admin"])
    page = client.get(reverse("jobs:list")).content.decode()
    assert theirs.title in page and str(methodologist) in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "progress"])
@override_settings(JOBS_PROGRESS_DATABASE="progress")
def test_progress_is_seen_while_the_work_transaction_is_open_and_survives_its_rollback(django_user_model):
    owner = django_user_model.objects.create_user(username="owner", password="x")
    job = Job.objects.create(owner=owner, kind=handlers.ECHO, title="Долгое", state=JobState.RUNNING)
    try:
        with transaction.atomic():
            Territory.objects.create(name="Откатится", kind="region")
            job_progress(job=job, done=40, total=100, message="Проверено строк: 40 из 100")
            seen = Job.objects.using("progress").get(pk=job.pk)
            assert (seen.progress_done, seen.progress_total) == (40, 100)
            raise RuntimeError("the worker's work fails")
    except RuntimeError:
        pass
    job.refresh_from_db()
    assert (job.progress_done, job.message) == (40, "Проверено строк: 40 из 100")
    assert not Territory.objects.filter(name="Откатится").exists()
    assert connections["progress"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
