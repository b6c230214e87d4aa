"""Checking and loading run as background jobs; a rejected file comes back with an «Ошибки» column."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from metodist.imports import errors
from metodist.imports.jobs import KIND_APPLY, KIND_CHECK
from metodist.imports.models import ImportBatch, ImportStatus
from metodist.jobs.models import Job, JobState

from .utils import STAFF_HEADER, apply, counts, csv_bytes, last_batch, staff_rows, text, upload, xlsx

pytestmark = pytest.mark.django_db

BAD_SNILS = "123-456-789 00"


@pytest.fixture
def coordinator_client(client, world):
    client.force_login(world.users["coordinator"])
    return client


def _rows_with_one_error() -> list[list]:
    rows = staff_rows()
    rows[1][4] = BAD_SNILS  # line 3 of the sheet below a header on line 2
    return rows


def test_upload_runs_the_check_as_a_job_and_ends_on_the_preview(coordinator_client, world):
    response = coordinator_client.post(
        reverse("imports:upload"),
        {"kind": "staff", "organisation": world.org_a.pk, "file": _file(xlsx([STAFF_HEADER, *staff_rows()]))},
    )
    job = Job.objects.get(kind=KIND_CHECK)
    assert response["Location"] == job.get_absolute_url()
    assert job.owner == world.users["coordinator"]
    assert job.state == JobState.SUCCEEDED
    batch = last_batch()
    assert job.result_url == batch.get_absolute_url()
    assert not job.input_file  # the batch keeps the file; the job's copy is gone
    assert batch.file
    page = coordinator_client.get(job.get_absolute_url(), follow=True)
    assert page.redirect_chain[-1][0] == batch.get_absolute_url()
    assert "Петрова Анна Сергеевна" in text(page)


def test_apply_runs_as_one_job_and_reports_what_it_wrote(coordinator_client, world):
    upload(coordinator_client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    batch = last_batch()
    response = apply(coordinator_client, batch)
    job = Job.objects.get(kind=KIND_APPLY)
    assert (job.state, job.params) == (JobState.SUCCEEDED, {"batch": batch.pk, "only_valid": False})
    assert job.percent == 100
    assert job.message in text(response)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert job.message.startswith(  # followed by how many went to the methodologist's confirmation, if any
        str(errors.APPLIED % {"new": batch.rows_new, "updated": batch.rows_updated, "unchanged": batch.rows_unchanged})
    )


def test_rejected_apply_fails_the_job_with_the_reason_and_shows_the_preview(coordinator_client, world):
    upload(coordinator_client, xlsx([STAFF_HEADER, *_rows_with_one_error()]), organisation=world.org_a)
    batch = last_batch()
    before = counts()
    response = apply(coordinator_client, batch)
    job = Job.objects.get(kind=KIND_APPLY)
    assert job.state == JobState.FAILED
    assert job.error and job.error in text(response)
    assert response.redirect_chain[-1][0] == batch.get_absolute_url()
    assert counts() == before


def test_a_file_refused_as_a_whole_is_not_kept(coordinator_client, world):
    upload(coordinator_client, b"\x89PNG\r\n\x1a\n" + b"\0" * 200, organisation=world.org_a)
    batch = last_batch()
    assert batch.status == ImportStatus.FAILED
    assert not batch.file
    assert not Job.objects.get(kind=KIND_CHECK).input_file
    assert coordinator_client.get(reverse("imports:errors_file", args=[batch.pk])).status_code == 404


def test_rejected_xlsx_comes_back_as_the_users_workbook_with_an_errors_column(coordinator_client, world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Кадры"
    sheet.append(["Список работников МБОУ СОШ № 1"])
    sheet.append(STAFF_HEADER)
    for row in _rows_with_one_error():
        sheet.append(row)
    sheet["A1"].font = openpyxl.styles.Font(bold=True, size=14)
    book.create_sheet("Примечания")["A1"] = "не трогать"
    buffer = io.BytesIO()
    book.save(buffer)
    upload(coordinator_client, buffer.getvalue(), "кадры.xlsx", organisation=world.org_a)
    batch = last_batch()
    assert batch.rows_invalid == 1

    page = text(coordinator_client.get(batch.get_absolute_url()))
    assert reverse("imports:errors_file", args=[batch.pk]) in page
    response = coordinator_client.get(reverse("imports:errors_file", args=[batch.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    result = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert result.sheetnames == ["Кадры", "Примечания"]
    sheet = result["Кадры"]
    column = len(STAFF_HEADER) + 1
    assert sheet.cell(row=2, column=column).value == "Ошибки"
    message = batch.report["errors"][0]["messages"][0]
    assert BAD_SNILS in message
    assert message in sheet.cell(row=4, column=column).value
    assert sheet.cell(row=3, column=column).value is None
    assert sheet["A1"].font.bold and sheet["A1"].value == "Список работников МБОУ СОШ № 1"
    assert result["Примечания"]["A1"].value == "не трогать"

    coordinator_client.force_login(world.users["methodologist"])
    assert coordinator_client.get(reverse("imports:errors_file", args=[batch.pk])).status_code == 404


def test_rejected_csv_comes_back_with_an_errors_column_in_its_own_encoding(coordinator_client, world):
    content = csv_bytes([STAFF_HEADER, *_rows_with_one_error()], encoding="cp1251")
    upload(coordinator_client, content, "кадры.csv", organisation=world.org_a)
    batch = last_batch()
    response = coordinator_client.get(reverse("imports:errors_file", args=[batch.pk]))
    records = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("cp1251")), delimiter=";"))
    assert records[0] == [*STAFF_HEADER, "Ошибки"]
    assert records[1][-1] == ""
    assert BAD_SNILS in records[2][-1]
    assert records[2][:-1] == next(csv.reader([content.decode("cp1251").splitlines()[2]], delimiter=";"))


def test_no_errors_file_when_there_are_no_errors(coordinator_client, world):
    upload(coordinator_client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    batch = last_batch()
    assert coordinator_client.get(reverse("imports:errors_file", args=[batch.pk])).status_code == 404
    assert ImportBatch.objects.count() == 1


def _file(content: bytes, name: str = "list.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_preview_of_a_file_being_loaded_links_to_the_job_instead_of_the_button(coordinator_client, world):
    upload(coordinator_client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    batch = last_batch()
    job = Job.objects.create(
        owner=world.users["coordinator"], kind=KIND_APPLY, title="Загрузка", params={"batch": batch.pk}
    )
    page = text(coordinator_client.get(batch.get_absolute_url()))
    assert job.get_absolute_url() in page
    assert "Подтвердить загрузку" not in page
    response = coordinator_client.post(reverse("imports:apply", args=[batch.pk]))
    assert response["Location"] == job.get_absolute_url()  # a second click does not load twice
    assert Job.objects.filter(kind=KIND_APPLY).count() == 1
