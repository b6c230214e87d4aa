"""Routes of the assessments app for the canary walker; see metodist/core/tests/canary.py.

``build`` gives the canary school a diagnostic of its own (marked), the results of its class in a **shared**
procedure (marked class label and student codes: the shared procedure's page must list only the viewer's
classes) and an upload by the canary user with a marked file name and report.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from metodist.assessments.choices import ProcedureKind, ResultFormat
from metodist.assessments.loading import ClassResults
from metodist.assessments.models import ClassAssessment, Procedure, ResultUpload, Task
from metodist.assessments.readers.base import StudentRow
from metodist.assessments.services import class_results_load
from metodist.core.tests.canary import variant
from metodist.registry.tests.factories import subject


def build(world) -> None:
    shared = Procedure.objects.create(
        kind=ProcedureKind.VPR,
        title="ВПР 2025/26, математика, 7 класс (общая)",
        subject=subject("Математика"),
        grade=7,
        academic_year=2025,
        mark_scale={"3": 1, "4": 2, "5": 3},
    )
    for position, maximum in enumerate((1, 2), start=1):
        Task.objects.create(procedure=shared, number=str(position), position=position, max_score=maximum)
    own = Procedure.objects.create(
        kind=ProcedureKind.SCHOOL,
        title=world.mark("Входная диагностика"),
        subject=subject("Математика"),
        grade=7,
        academic_year=2025,
        organisation=world.organisation,
        description=world.mark("описание"),
    )
    Task.objects.create(
        procedure=own, number="1", position=1, max_score=1, checked_element=world.mark("элемент"),
        competence_codes=world.mark("A/01.6"),
    )  # fmt: skip
    students = [
        StudentRow(line=0, code=world.mark("к1"), variant=world.mark("в"), scores=[1, 2], journal_mark=5),
        StudentRow(line=0, code=world.mark("к2"), absent=True),
    ]
    class_results_load(
        procedure=shared,
        classes=[
            ClassResults(
                organisation=world.organisation, class_label=world.mark("7К"), school_class=world.school_class,
                students=students,
            )
        ],
        user=world.user,
        source_name=world.mark("файл"),
    )  # fmt: skip
    upload = ResultUpload.objects.create(
        procedure=shared,
        organisation=world.organisation,
        file_format=ResultFormat.COLLECTION_FORM,
        file=ContentFile(world.mark("код").encode(), name="canary.csv"),
        original_filename=world.mark("форма") + ".xlsx",
        created_by=world.user,
        dropped_columns=[world.mark("Фамилия")],
        report={
            "errors": [{"line": 2, "column": world.mark("столбец"), "message": world.mark("ошибка")}],
            "warnings": [{"line": 3, "column": "", "message": world.mark("замечание")}],
            "classes": [
                {"key": "x", "school": world.mark("Школа"), "class_key": "1", "ordinal": 1, "label": world.mark("7К"),
                 "options": [[world.school_class.pk, world.mark("7К")]], "students": 2, "participants": 1,
                 "absent": 1, "not_attempted": 0, "status": "new", "school_class": world.school_class.pk}
            ],
            "unmatched": [{"school": world.mark("Школа"), "students": 3}],
            "counts": {"classes": 1, "participants": 1},
        },
    )  # fmt: skip
    world.extra["assessments"] = {
        "shared": shared,
        "own": own,
        "class": ClassAssessment.objects.get(procedure=shared, organisation=world.organisation),
        "upload": upload,
    }


def _a(world, key):
    return world.extra["assessments"][key]


CANARY_ROUTES = {
    "assessments:procedure_list": lambda w: [
        variant(query={"q": w.search_term}),
        variant(query={"grade": 7, "academic_year": 2025}),
        variant(query={"kind": "school"}),
    ],
    "assessments:procedure_detail": lambda w: [
        variant(pk=_a(w, "own").pk, hidden=True),
        variant(pk=_a(w, "shared").pk),
    ],
    "assessments:procedure_edit": lambda w: [
        variant(pk=_a(w, "own").pk, hidden=True),
        variant(pk=_a(w, "shared").pk),
    ],
    "assessments:procedure_tasks": lambda w: [
        variant(pk=_a(w, "own").pk, hidden=True),
        variant(pk=_a(w, "shared").pk),
    ],
    "assessments:procedure_spec_download": lambda w: [
        variant(pk=_a(w, "own").pk, hidden=True),
        variant(pk=_a(w, "shared").pk),
    ],
    "assessments:upload": lambda w: [variant(query={"procedure": _a(w, "own").pk})],
    "assessments:upload_preview": lambda w: [variant(pk=_a(w, "upload").pk, hidden=True)],
    "assessments:class_detail": lambda w: [variant(pk=_a(w, "class").pk, hidden=True)],
    "api:assessment-procedure-list": lambda w: [variant(query={"q": w.search_term}), variant(query={"grade": 7})],
    "api:assessment-procedure-detail": lambda w: [
        variant(pk=_a(w, "own").pk, hidden=True),
        variant(pk=_a(w, "shared").pk),
    ],
    "api:class-result-list": lambda w: [variant(query={"procedure": _a(w, "shared").pk})],
    "api:class-result-detail": lambda w: [variant(pk=_a(w, "class").pk, hidden=True)],
}

CANARY_EXCLUDED = {
    "assessments:procedure_spec_import": "POST only (a file upload); covered by test_views and test_permissions",
    "assessments:upload_apply": "POST only; covered by test_views and test_permissions",
}
