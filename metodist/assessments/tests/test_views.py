"""The pages: procedures, tasks table, specification import, the upload → preview → confirm flow, a class's results."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.assessments import messages
from metodist.assessments.choices import ProcedureKind, UploadStatus
from metodist.assessments.models import ClassAssessment, Procedure, ResultUpload, StudentResult, Task
from metodist.jobs.models import Job
from metodist.registry.tests.factories import SchoolClassFactory, subject

from .factories import VPR_MATH_6, ProcedureFactory, procedure_with_tasks
from .files import collection_form, protocol, pupils

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_procedure_list_shows_counts_and_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.users["methodologist"])
    procedure = procedure_with_tasks(title="ВПР 2025/26 математика 6")
    url = reverse("assessments:procedure_list")
    with CaptureQueriesContext(__import__("django.db").db.connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert "ВПР 2025/26 математика 6" in response.content.decode()
    for n in range(8):
        procedure_with_tasks(title=f"Процедура {n}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    page = response.content.decode()
    assert "Процедура 7" in page
    row = next(r for r in response.context["table"].rows if r.record.pk == procedure.pk)
    assert row.record.task_count == len(VPR_MATH_6)
    assert row.record.max_total == sum(m for _n, m, _l in VPR_MATH_6)


def test_a_methodologist_creates_a_procedure_with_a_mark_scale(client, world):
    client.force_login(world.users["methodologist"])
    response = client.post(
        reverse("assessments:procedure_create"),
        {
            "kind": ProcedureKind.VPR, "title": "ВПР 2025/26 русский язык 5", "subject": subject("Русский язык").pk,
            "grade": 5, "academic_year": 2025, "held_on": "2026-04-15", "mark3": 18, "mark4": 29, "mark5": 38,
        },
    )  # fmt: skip
    procedure = Procedure.objects.get(title="ВПР 2025/26 русский язык 5")
    assert response.status_code == 302
    assert procedure.mark_scale == {"3": 18, "4": 29, "5": 38} and procedure.organisation is None


def test_a_bad_mark_scale_is_refused(client, world):
    client.force_login(world.users["methodologist"])
    response = client.post(
        reverse("assessments:procedure_create"),
        {"kind": ProcedureKind.VPR, "title": "X", "subject": subject().pk, "grade": 5, "academic_year": 2025,
         "mark3": 20, "mark4": 10, "mark5": 30},
    )  # fmt: skip
    assert response.status_code == 200
    assert str(messages.BAD_MARK_SCALE) in response.content.decode()
    assert not Procedure.objects.filter(title="X").exists()


def test_a_coordinator_creates_their_schools_diagnostic_only(client, world):
    client.force_login(world.users["coordinator"])
    data = {"kind": ProcedureKind.SCHOOL, "title": "Входная диагностика", "subject": subject().pk, "grade": 5,
            "academic_year": 2025}  # fmt: skip
    response = client.post(reverse("assessments:procedure_create"), data)  # no school: refused
    assert response.status_code == 200 and not Procedure.objects.exists()
    response = client.post(reverse("assessments:procedure_create"), {**data, "organisation": world.org_b.pk})
    assert response.status_code == 200 and not Procedure.objects.exists()  # not their school
    response = client.post(reverse("assessments:procedure_create"), {**data, "organisation": world.org_a.pk})
    assert response.status_code == 302
    assert Procedure.objects.get().organisation == world.org_a
    shared = ProcedureFactory()
    assert client.get(reverse("assessments:procedure_edit", args=[shared.pk])).status_code == 404


def test_the_tasks_table_saves_the_specification(client, world):
    client.force_login(world.users["methodologist"])
    procedure = ProcedureFactory()
    url = reverse("assessments:procedure_tasks", args=[procedure.pk])
    assert client.get(url).status_code == 200
    data = {"form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 0, "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    for i, (number, maximum, level) in enumerate([("1", 1, "basic"), ("4К1", 3, "advanced")]):
        data.update({f"form-{i}-number": number, f"form-{i}-max_score": maximum, f"form-{i}-level": level,
                     f"form-{i}-competence_codes": "A/01.6"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors
    assert list(procedure.tasks.values_list("number", "position", "max_score", "level")) == [
        ("1", 1, 1, "basic"),
        ("4К1", 2, 3, "advanced"),
    ]


def test_a_specification_imports_from_a_spreadsheet_with_errors_listed(client, world):
    client.force_login(world.users["methodologist"])
    procedure = ProcedureFactory()
    url = reverse("assessments:procedure_spec_import", args=[procedure.pk])
    bad = xlsx([
        ["Спецификация ВПР"],
        ["№ задания", "Макс. балл", "Уровень сложности", "Проверяемые умения", "Коды КЭС", "Компетенции"],
        ["1", 1, "Б", "Натуральные числа", "1.1", "A/01.6"],
        ["2", "два", "Б", "Дроби", "1.2", ""],
        ["2", 1, "сложный", "", "", ""],
    ])  # fmt: skip
    response = client.post(url, {"file": SimpleUploadedFile("spec.xlsx", bad)})
    assert response.status_code == 400
    page = response.content.decode()
    assert str(messages.SPEC_BAD_MAX % {"value": "два"}) in page
    assert str(messages.SPEC_BAD_LEVEL % {"value": "сложный"}) in page
    assert "Задание «2» повторяется: строки 4, 5." in page
    assert not procedure.tasks.exists()
    good = xlsx([
        ["№ задания", "Макс. балл", "Уровень сложности", "Проверяемые умения", "Коды КЭС", "Компетенции"],
        ["1", 1, "Б", "Натуральные числа", "1.1", "A/01.6"],
        ["4К1", 3, "П", "Текст", "2.1, 2.2", "A/01.6, B/02.6"],
    ])  # fmt: skip
    response = client.post(url, {"file": SimpleUploadedFile("spec.xlsx", good)})
    assert response.status_code == 302
    tasks = list(procedure.tasks.values_list("number", "max_score", "level", "codifier_codes", "competence_codes"))
    assert tasks == [("1", 1, "basic", "1.1", "A/01.6"), ("4К1", 3, "advanced", "2.1, 2.2", "A/01.6, B/02.6")]
    # The procedure's own specification downloads and reads back the same.
    download = client.get(reverse("assessments:procedure_spec_download", args=[procedure.pk]))
    content = b"".join(download.streaming_content)
    again = client.post(url, {"file": SimpleUploadedFile("spec.xlsx", content)})
    assert again.status_code == 302
    assert (
        list(procedure.tasks.values_list("number", "max_score", "level", "codifier_codes", "competence_codes")) == tasks
    )


def test_templates_download(client, world):
    client.force_login(world.users["coordinator"])
    for name in ("assessments:specification_template", "assessments:results_template"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert "Инструкция" in book.sheetnames


def test_upload_preview_confirm_and_see_the_class(client, world):
    class_a = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="А")
    class_b = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="Б")
    procedure = procedure_with_tasks()
    client.force_login(world.users["coordinator"])
    rows = pupils(12, seed=2, absent=1)
    response = client.post(
        reverse("assessments:upload"),
        {"procedure": procedure.pk, "organisation": world.org_a.pk, "file_format": "",
         "file": SimpleUploadedFile("Форма сбора 6А.xlsx", collection_form(rows))},
    )  # fmt: skip
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    upload = ResultUpload.objects.get()
    assert upload.status == UploadStatus.CHECKED
    preview = client.get(upload.get_absolute_url())
    page = preview.content.decode()
    assert preview.status_code == 200 and "Подтвердить загрузку" in page
    assert preview.context["counts"]["participants"] == 11 and preview.context["counts"]["absent"] == 1
    # The coordinator says the file's class № 1 is 6Б.
    response = client.post(reverse("assessments:upload_apply", args=[upload.pk]), {"class_1": class_b.pk})
    assert response.status_code == 302
    assessment = ClassAssessment.objects.get()
    assert assessment.school_class == class_b and assessment.participants == 11
    detail = client.get(reverse("assessments:class_detail", args=[assessment.pk]))
    assert detail.status_code == 200
    assert rows[0].code in detail.content.decode()
    # % of each task, computed here from the file's pupils: points / (present × max), «X» as 0.
    present = [p for p in rows if p.variant != "отсутствовал"]
    expected = {
        number: 100 * sum(p.scores[i] for p in present if isinstance(p.scores[i], int)) / (len(present) * maximum)
        for i, (number, maximum, _level) in enumerate(VPR_MATH_6)
    }
    shown = {row["aggregate"].task.number: row["success"] for row in detail.context["rows"]}
    assert shown == pytest.approx(expected)
    _ = class_a


def test_a_mapping_with_the_same_class_twice_is_refused(client, world):
    class_a = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="А")
    SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="Б")
    procedure = procedure_with_tasks()
    client.force_login(world.users["methodologist"])
    rows = pupils(6, seed=1) + pupils(6, seed=2, ordinal=2, first_code=62001)
    client.post(
        reverse("assessments:upload"),
        {"procedure": procedure.pk, "organisation": world.org_a.pk,
         "file": SimpleUploadedFile("forma.xlsx", collection_form(rows))},
    )  # fmt: skip
    upload = ResultUpload.objects.get()
    response = client.post(
        reverse("assessments:upload_apply", args=[upload.pk]), {"class_1": class_a.pk, "class_2": class_a.pk}
    )
    assert response.status_code == 302 and response["Location"] == upload.get_absolute_url()
    assert not ClassAssessment.objects.exists()
    assert Job.objects.filter(kind="assessments.apply").count() == 0


def _names_protocol() -> bytes:
    return protocol(
        [
            {"school": "edu100001", "class": "9А", "last": "Смирнова", "first": "Алёна", "middle": "Игоревна",
             "code": "900101", "mask": "++-+1", "long": "2(2)0(2)", "primary": 6, "mark": 4},
            {"school": "edu100001", "class": "9А", "last": "Кузнецов", "first": "Пётр", "middle": "Ильич",
             "code": "900102", "mask": "+-X-0", "long": "1(2)X(2)", "primary": 2, "mark": 2},
        ]
    )  # fmt: skip


OGE_SPEC = [("1", 1, "basic"), ("2", 1, "basic"), ("3", 1, "basic"), ("4", 1, "basic"), ("5", 2, "basic"),
            ("20", 2, "advanced"), ("21", 2, "high")]  # fmt: skip


@pytest.mark.parametrize("as_csv", [False, True])
def test_names_are_dropped_as_the_upload_is_received(client, world, as_csv):
    """Neither the job's stored input, the kept copy, the report nor the database ever holds a name."""
    world.org_a.fis_oko_login = "edu100001"
    world.org_a.save()
    SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=9, letter="А")
    procedure = procedure_with_tasks(OGE_SPEC, kind=ProcedureKind.OGE, grade=9, mark_scale={})
    content = _names_protocol()
    if as_csv:
        from .files import protocol as make

        content = make(
            [{"school": "edu100001", "class": "9А", "last": "Смирнова", "first": "Алёна", "middle": "Игоревна",
              "code": "900101", "mask": "++-+1", "long": "2(2)0(2)"}],
            as_csv=True,
        )  # fmt: skip
    client.force_login(world.users["methodologist"])
    stored: list[bytes] = []
    from metodist.jobs import services as job_services

    original = job_services.job_create

    def spy(**kwargs):
        stored.append(kwargs["input_content"])
        return original(**kwargs)

    import metodist.assessments.views as views

    views.job_create = spy
    try:
        client.post(
            reverse("assessments:upload"),
            {"procedure": procedure.pk, "file": SimpleUploadedFile(f"protocol.{'csv' if as_csv else 'xlsx'}", content)},
        )
    finally:
        views.job_create = original
    upload = ResultUpload.objects.get()
    assert upload.status == UploadStatus.CHECKED, upload.report["errors"]
    assert set(upload.dropped_columns) == {"Фамилия", "Имя", "Отчество"}
    with upload.file.open("rb") as handle:
        kept = handle.read()
    for name in ("Смирнова", "Алёна", "Игоревна", "Фамилия"):
        assert name.encode() not in stored[0] and name.encode() not in kept
        assert name not in _workbook_text(kept, as_csv) and name not in _workbook_text(stored[0], as_csv)
    for name in ("Смирнова", "Алёна", "Игоревна"):
        assert name not in str(upload.report)  # the dropped headers are named there, never a value
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "удалены при получении файла" in page
    client.post(reverse("assessments:upload_apply", args=[upload.pk]))
    assert StudentResult.objects.filter(student_code="900101").exists()
    dumped = str(list(StudentResult.objects.values())) + str(list(ClassAssessment.objects.values()))
    assert "Смирнова" not in dumped
    student = StudentResult.objects.get(student_code="900101")
    assert student.primary_score == 6 and student.stated_score is None


def _workbook_text(content: bytes, as_csv: bool) -> str:
    if as_csv:
        return content.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(content))
    return " ".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row)


def test_protocol_scores_from_the_mask_and_long_answers(world):
    from metodist.assessments.services import result_upload_apply, result_upload_check

    world.org_a.fis_oko_login = "edu100001"
    world.org_a.save()
    procedure = procedure_with_tasks(OGE_SPEC, kind=ProcedureKind.OGE, grade=9, mark_scale={})
    upload = result_upload_check(user=world.users["methodologist"], procedure=procedure, content=_names_protocol(),
                                 filename="p.xlsx")  # fmt: skip
    assert upload.status == UploadStatus.CHECKED, upload.report["errors"]
    result_upload_apply(upload=upload, user=world.users["methodologist"])
    second = StudentResult.objects.get(student_code="900102")
    scores = [(s.task.number, s.score, s.not_attempted) for s in second.scores.order_by("task__position")]
    assert scores == [("1", 1, False), ("2", 0, False), ("3", 0, True), ("4", 0, False), ("5", 0, False),
                      ("20", 1, False), ("21", 0, True)]  # fmt: skip
    assert second.mark == 2  # no scale: the protocol's mark
    assert Task.objects.filter(procedure=procedure).count() == len(OGE_SPEC)
