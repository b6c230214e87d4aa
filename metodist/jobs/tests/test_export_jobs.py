"""Exports above ``JOBS_EXPORT_ROWS`` rows run as jobs; the file waits on the job page for its owner only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from metodist.core.models import DataExport
from metodist.jobs.exports import KIND_EXPORT
from metodist.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db


def _download(client, job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@override_settings(JOBS_EXPORT_ROWS=2)
def test_large_people_export_runs_as_a_job_in_the_users_scope(client, world):
    methodologist = world.users["methodologist"]
    client.force_login(methodologist)
    response = client.get(reverse("registry:person_export"), {"format": "csv"})
    job = Job.objects.get(kind=KIND_EXPORT)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.result_filename.endswith(".csv")
    assert (job.progress_done, job.progress_total) == (3, 3)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Скачать файл" in page

    content = _download(client, job).decode("utf-8-sig")
    assert all(name in content for name in ("Аничкова", "Архипова", "Борисова"))
    assert "Васильева" not in content  # another municipality
    assert DataExport.objects.filter(user=methodologist).count() == 1

    client.force_login(world.users["coordinator"])
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@override_settings(JOBS_EXPORT_ROWS=2)
def test_large_organisation_export_as_xlsx_job_keeps_the_filters(client, world):
    client.force_login(world.users["admin"])
    client.get(reverse("registry:organisation_export"), {"format": "xlsx"})
    job = Job.objects.get(kind=KIND_EXPORT)
    assert job.state == JobState.SUCCEEDED, job.error
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, job))).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"Школа А", "Школа Б", "Школа В"} <= {str(n) for n in names} | set()


def test_small_export_is_made_at_once(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("registry:person_export"), {"format": "csv"})
    assert response.status_code == 200
    assert not Job.objects.exists()
