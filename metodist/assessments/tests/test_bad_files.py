"""Every bad file is refused with each problem listed (line, column, reason in Russian) and nothing written."""

from __future__ import annotations

import pytest

from metodist.assessments import messages
from metodist.assessments.choices import UploadStatus
from metodist.assessments.models import ClassAssessment, StudentResult, Task, TaskScore
from metodist.assessments.services import UploadRejected, result_upload_apply, result_upload_check
from metodist.imports import errors as import_errors
from metodist.registry.tests.factories import SchoolClassFactory

from .factories import VPR_MATH_6, procedure_with_tasks
from .files import collection_form, long_csv, long_rows, pupils

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="А")
    return world, procedure_with_tasks()


def refused(world, procedure, content, filename="forma.xlsx", organisation="a"):
    upload = result_upload_check(
        user=world.users["methodologist"], procedure=procedure, content=content, filename=filename,
        organisation=world.org_a if organisation == "a" else None,
    )  # fmt: skip
    assert upload.status == UploadStatus.FAILED
    assert not upload.file  # a refused file is not kept
    with pytest.raises(UploadRejected):
        result_upload_apply(upload=upload, user=world.users["methodologist"])
    assert (
        not ClassAssessment.objects.exists() and not StudentResult.objects.exists() and not TaskScore.objects.exists()
    )
    return [(e["line"], e["column"], e["message"]) for e in upload.report["errors"]]


def test_a_header_among_the_tasks_that_is_not_a_task(setup):
    world, procedure = setup
    content = collection_form(pupils(5), extra_headers={5: "Задание три"})
    errors = refused(world, procedure, content)
    assert (1, "Задание три", str(messages.NOT_A_TASK_HEADER % {"header": "Задание три"})) in errors


def test_scores_above_the_maximum_and_negative_ones_are_each_listed(setup):
    world, procedure = setup
    rows = pupils(6, seed=1, absent=0)
    rows[0].scores[4] = 3  # task 5, max 2
    rows[2].scores[0] = -1
    rows[3].scores[1] = "1,5"
    rows[4].scores[2] = None
    errors = refused(world, procedure, collection_form(rows))
    assert (2, "5 (2б)", str(messages.SCORE_ABOVE_MAX % {"value": 3, "max": 2})) in errors
    assert (4, "1 (1б)", str(messages.SCORE_NEGATIVE % {"value": "-1"})) in errors
    assert (5, "2 (1б)", str(messages.SCORE_NOT_A_NUMBER % {"value": "1,5", "max": 1})) in errors
    assert (6, "3 (1б)", str(messages.SCORE_REQUIRED)) in errors


def test_duplicate_codes(setup):
    world, procedure = setup
    rows = pupils(5, seed=1, absent=0)
    rows[3].code = rows[1].code
    errors = refused(world, procedure, collection_form(rows))
    assert (5, "Код участника", str(messages.DUPLICATE_CODE % {"code": rows[1].code, "lines": "3, 5"})) in errors


def test_a_task_set_that_does_not_match_the_specification(setup):
    world, procedure = setup
    spec = [t for t in VPR_MATH_6 if t[0] != "12"] + [("13", 2, "basic")]
    rows = pupils(4, seed=1, spec=spec, absent=0)
    errors = refused(world, procedure, collection_form(rows, spec=spec))
    assert any(m == str(messages.TASKS_MISSING % {"tasks": "«12»"}) for _l, _c, m in errors)
    assert any(m == str(messages.TASKS_EXTRA % {"tasks": "«13»"}) for _l, _c, m in errors)


def test_a_header_maximum_that_differs_from_the_specification(setup):
    world, procedure = setup
    headers = [f"{n} ({m + 1 if n == '8' else m}б)" for n, m, _l in VPR_MATH_6]
    errors = refused(world, procedure, collection_form(pupils(3, absent=0), headers=headers))
    assert (1, "8 (3б)", str(messages.TASK_MAX_DIFFERS % {"task": "8", "file": 3, "spec": 2})) in errors


def test_mixed_encodings(setup):
    world, procedure = setup
    rows = long_rows("", pupils(2, seed=1, absent=0))
    content = long_csv(rows[:10], encoding="utf-8") + "\r\n".join(
        ";".join(map(str, r)) for r in [("", "6А", "Иванов-код", "1", 1)]
    ).encode("cp1251")
    errors = refused(world, procedure, content, filename="long.csv")
    assert len(errors) == 1 and errors[0][2].startswith("Файл сохранён в двух кодировках: строки ")


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.xlsx", import_errors.EMPTY_FILE),
        (b"   \n  \n", "empty.csv", import_errors.EMPTY_FILE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", import_errors.OLD_XLS),
        (b"%PDF-1.4 not a table", "results.xlsx", import_errors.NOT_A_SPREADSHEET % {"name": "results.xlsx"}),
        (b"PK\x03\x04broken zip", "results.xlsx", import_errors.NOT_A_SPREADSHEET % {"name": "results.xlsx"}),
    ],
)
def test_empty_and_non_spreadsheet_files(setup, content, filename, message):
    world, procedure = setup
    errors = refused(world, procedure, content, filename=filename)
    assert errors == [(None, "", str(message))]


def test_a_table_of_something_else(setup):
    world, procedure = setup
    content = long_csv([("Иванова", "учитель")], header=("ФИО", "Должность"))
    errors = refused(world, procedure, content, filename="staff.csv")
    assert len(errors) == 1 and errors[0][2].startswith("Не удалось определить, что это за файл")


def test_absent_with_scores_and_code_missing(setup):
    world, procedure = setup
    rows = pupils(5, seed=1, absent=1)
    rows[-1].scores = [1] * len(VPR_MATH_6)  # «отсутствовал» with scores
    rows[0].code = ""
    errors = refused(world, procedure, collection_form(rows))
    assert (6, "Вариант", str(messages.SCORES_OF_ABSENT % {"value": "отсутствовал"})) in errors
    assert (2, "Код участника", str(messages.CODE_REQUIRED)) in errors


def test_long_format_problems(setup):
    world, procedure = setup
    rows = long_rows("", pupils(3, seed=2, absent=0))
    rows = [r for r in rows if not (r[2] == "61001" and r[3] == "7")]  # a missing task
    rows.append(("", "6А", "61002", "1", 1))  # a second score for one task
    rows.append(("", "6А", "61003", "99", 1))  # no such task
    errors = refused(world, procedure, long_csv(rows), filename="long.csv")
    messages_only = [m for _l, _c, m in errors]
    assert str(messages.LONG_MISSING_TASKS % {"code": "61001", "tasks": "«7»"}) in messages_only
    assert any(m.startswith("Балл участника 61002 за задание «1» указан дважды") for m in messages_only)
    assert str(messages.LONG_UNKNOWN_TASK % {"task": "99"}) in messages_only


def test_nothing_is_written_when_the_recheck_fails(setup):
    """A file checked fine, then the specification changed: the load re-checks and writes nothing."""
    world, procedure = setup
    upload = result_upload_check(
        user=world.users["methodologist"], procedure=procedure, content=collection_form(pupils(4)),
        filename="forma.xlsx", organisation=world.org_a,
    )  # fmt: skip
    assert upload.status == UploadStatus.CHECKED
    Task.objects.filter(procedure=procedure, number="12").update(max_score=1)
    with pytest.raises(UploadRejected):
        result_upload_apply(upload=upload, user=world.users["methodologist"])
    assert not ClassAssessment.objects.exists() and not TaskScore.objects.exists()
