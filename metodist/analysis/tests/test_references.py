"""Reference figures from the ФИС ОКО statistics exports: loaded whole or not at all, with Russian errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metodist.analysis import reference_files as files
from metodist.analysis import selectors, services
from metodist.analysis.models import ReferenceSet, ReferenceTaskRate

from .statistics_files import marks_file, tasks_file

pytestmark = pytest.mark.django_db

NUMBERS = ["1", "2", "3", "4", "5", "6", "7"]
RATES = [71.5, 60.2, 55, 48.7, 40.1, 25.3, 18]


def _upload(handle, name="vypolnenie.xlsx"):
    return SimpleUploadedFile(name, handle.getvalue())


def _load(results, handle, user="methodologist", name="vypolnenie.xlsx"):
    return services.reference_file_load(
        actor=results.world.users[user],
        procedure=results.procedure,
        region=results.world.region,
        upload=_upload(handle, name),
    )


def test_tasks_file_loads_russia_region_and_own_municipality(results):
    w = results.world
    handle = tasks_file(
        ["1 (1б)", "2", "3", "4 (2б)", "5", "6", "7"],
        [
            ("Вся выборка", 1234567, RATES),
            (w.region.name, 45678, [r + 1 for r in RATES]),
            (w.m1.name, 1200, [r - 2 for r in RATES]),
            (w.m2.name, 900, [r - 3 for r in RATES]),  # not the methodologist's: skipped
            ("МБОУ СОШ № 1", 50, [r - 3 for r in RATES]),  # a school row: skipped
        ],
        maxima=[1, 1, 1, 2, 2, 1, 2],
    )
    result = _load(results, handle)
    assert result.ok, result.problems
    assert result.written == ["Вся выборка", w.region.name, w.m1.name]
    assert result.skipped == [w.m2.name, "МБОУ СОШ № 1"]
    tasks = {t.number: t for t in results.procedure.tasks.all()}
    russia = ReferenceSet.objects.get(level="russia", procedure=results.procedure)
    assert russia.participants == 1234567
    assert {r.task_id: r.rate for r in russia.task_rates.all()} == {
        tasks[n].pk: Decimal(str(v)).quantize(Decimal("0.01")) for n, v in zip(NUMBERS, RATES, strict=True)
    }
    # The school page now compares with the loaded region and Russia.
    columns = selectors.comparison_columns(
        results.procedure, w.m1, selectors.procedure_tasks(results.procedure), selectors.thresholds_for(w.m1)
    )
    assert [c.label for c in columns] == [w.m1.name, w.region.name, "Россия"]
    assert columns[1].rate(tasks["1"].pk) == pytest.approx(72.5)
    # Loading the same file again changes nothing.
    before = list(
        ReferenceTaskRate.objects.order_by("reference", "task").values_list("reference__level", "task", "rate")
    )
    assert _load(results, tasks_file(NUMBERS, [("Вся выборка", 1234567, RATES)])).ok
    after = list(
        ReferenceTaskRate.objects.order_by("reference", "task").values_list("reference__level", "task", "rate")
    )
    assert before == after


def test_marks_file(results):
    w = results.world
    handle = marks_file(
        [
            ("Вся выборка", 40000, 1234567, [9.5, 40.1, 36.4, 14]),
            (w.region.name, 500, 45678, ["10,5", "41", "35,5", "13"]),
        ]
    )
    result = _load(results, handle, name="otmetki.xlsx")
    assert result.ok, result.problems
    region = ReferenceSet.objects.get(territory=w.region)
    assert (region.mark2, region.mark3, region.mark4, region.mark5) == (
        Decimal("10.50"),
        Decimal("41.00"),
        Decimal("35.50"),
        Decimal("13.00"),
    )
    assert region.organisations == 500 and region.source_name == "otmetki.xlsx"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("Вся выборка", 100, [*RATES[:-1], 120])], str(files.BAD_PERCENT) % {"value": "120"}),
        ([("Вся выборка", 100, [*RATES[:-1], "много"])], str(files.BAD_PERCENT) % {"value": "много"}),
        ([("Вся выборка", "сто", RATES)], str(files.BAD_COUNT) % {"value": "сто"}),
        (
            [("Вся выборка", 100, RATES), ("Вся выборка", 100, RATES)],
            str(files.DUPLICATE_GROUP) % {"name": "Вся выборка", "line": 6},
        ),
        ([("Марс", 100, RATES)], str(files.NO_GROUPS) % {"region": "Тестовая область"}),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(results, rows, message):
    result = _load(results, tasks_file(NUMBERS, rows))
    assert not result.ok
    assert message in [p.message for p in result.problems]
    assert not ReferenceSet.objects.exists()


def test_bad_headers(results):
    result = _load(results, tasks_file(["1", "2", "3", "4", "5", "6", "99"], [("Вся выборка", 10, RATES)]))
    messages = [str(p) for p in result.problems]
    assert "строка 5, столбец 9: " + str(files.UNKNOWN_TASK) % {"number": "99"} in messages
    assert "строка 5: " + str(files.MISSING_TASKS) % {"numbers": "7"} in messages
    assert not ReferenceSet.objects.exists()
    result = _load(results, marks_file([("Вся выборка", 1, 10, [10, 10, 10, 10])]))
    assert [p.message for p in result.problems] == [str(files.MARKS_SUM) % {"sum": "40,0"}]
    result = services.reference_file_load(
        actor=results.world.users["methodologist"],
        procedure=results.procedure,
        region=results.world.region,
        upload=SimpleUploadedFile("x.xlsx", b"not a spreadsheet"),
    )
    assert [p.message for p in result.problems] == [str(files.NOT_A_SPREADSHEET)]
    assert not ReferenceSet.objects.exists()


def test_upload_page_shows_problems_and_loads(client, results):
    client.force_login(results.world.users["methodologist"])
    url = reverse("analysis:reference_upload")
    bad = tasks_file(NUMBERS, [("Вся выборка", 100, [*RATES[:-1], 120])])
    response = client.post(
        url, {"procedure": results.procedure.pk, "region": results.world.region.pk, "file": _upload(bad)}
    )
    assert response.status_code == 200
    assert str(files.BAD_PERCENT) % {"value": "120"} in response.content.decode()
    good = tasks_file(NUMBERS, [("Вся выборка", 100, RATES)])
    response = client.post(
        url, {"procedure": results.procedure.pk, "region": results.world.region.pk, "file": _upload(good)}
    )
    assert response.status_code == 302
    assert ReferenceSet.objects.filter(level="russia").count() == 1


def test_manual_entry(client, results):
    client.force_login(results.world.users["methodologist"])
    tasks = list(results.procedure.tasks.order_by("position"))
    url = reverse("analysis:reference_manual") + f"?procedure={results.procedure.pk}"
    assert client.get(url).status_code == 200
    data = {
        "procedure": results.procedure.pk,
        "level": "region",
        "territory": results.world.region.pk,
        "participants": 500,
        "mark2": "10",
        "mark3": "40",
        "mark4": "40",
        "mark5": "10",
    }
    data |= {f"task_{t.pk}": "55,5".replace(",", ".") for t in tasks}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = ReferenceSet.objects.get(territory=results.world.region)
    assert reference.source == "manual" and reference.task_rates.count() == len(tasks)
    # Shares that do not add up to 100 are refused with the form's message.
    response = client.post(url, data | {"mark5": "30"})
    assert response.status_code == 200
    assert "должны 100" in response.content.decode()
    # A methodologist of the first district may not type the second district's figures.
    response = client.post(url, data | {"level": "municipality", "territory": results.world.m2.pk})
    assert response.status_code == 200
    assert not ReferenceSet.objects.filter(territory=results.world.m2).exists()
