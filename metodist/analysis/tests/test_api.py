"""The analysis API: scoped like the pages, the same figures (checked against plain Python), constant queries."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from . import expected
from .factories import add_class, random_students

pytestmark = pytest.mark.django_db


def test_class_list_is_scoped_and_its_averages_are_right(client, results):
    client.force_login(results.world.users["teacher"])
    data = client.get(reverse("api:analysis-class-list")).json()
    assert [row["id"] for row in data["results"]] == [results.a1.pk]
    assert data["results"][0]["overall"] == pytest.approx(expected.overall([results.a1.pk]), abs=0.01)
    client.force_login(results.world.users["methodologist"])
    ids = {row["id"] for row in client.get(reverse("api:analysis-class-list")).json()["results"]}
    assert ids == {results.a1.pk, results.a2.pk, results.b1.pk}


def test_class_detail(client, results):
    client.force_login(results.world.users["teacher"])
    data = client.get(reverse("api:analysis-class-detail", args=[results.a1.pk])).json()
    tasks = {t.pk: t.number for t in results.procedure.tasks.all()}
    want = expected.task_rates([results.a1.pk])
    assert {tasks[pk]: pytest.approx(rate, abs=0.01) for pk, rate in want.items()} == {
        n: v["rate"] for n, v in data["total"]["tasks"].items()
    }
    marks = expected.marks([results.a1.pk])
    assert data["total"]["marks"]["journal"]["lower"]["count"] == marks["lower"]
    assert sorted(g["student_code"] for g in data["journal_gaps"]) == [code for _label, code in marks["gaps"]]
    assert client.get(reverse("api:analysis-class-detail", args=[results.a2.pk])).status_code == 404


def test_procedure_detail_by_territory_and_school(client, results):
    w = results.world
    url = reverse("api:analysis-procedure-detail", args=[results.procedure.pk])
    client.force_login(w.users["methodologist"])
    data = client.get(url, {"territory": w.m1.pk}).json()
    assert data["total"]["overall"] == pytest.approx(
        expected.overall([results.a1.pk, results.a2.pk, results.b1.pk]), abs=0.01
    )
    assert sorted(r["label"] for r in data["rows"]) == ["Школа А", "Школа Б"]
    assert client.get(url, {"territory": w.m2.pk}).status_code == 404
    assert client.get(url, {"school": w.org_c.pk}).status_code == 404
    assert client.get(url, {"territory": "x"}).status_code == 400
    assert client.get(url).status_code == 400
    school = client.get(url, {"school": w.org_a.pk}).json()
    assert [r["label"] for r in school["rows"]] == ["6А", "6Б"]
    client.force_login(w.users["coordinator"])
    assert client.get(url, {"school": w.org_a.pk}).status_code == 200
    assert client.get(url, {"territory": w.m1.pk}).status_code == 404
    client.force_login(w.users["mentor"])
    assert client.get(url, {"school": w.org_a.pk}).status_code == 404


def test_api_lists_run_constant_queries(client, results):
    client.force_login(results.world.users["methodologist"])

    def count(name):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured.captured_queries)

    before = [count("api:analysis-class-list"), count("api:analysis-procedure-list")]
    rng = random.Random(1)
    for letter in "ВГД":
        add_class(
            results.procedure,
            results.world.org_b,
            f"6{letter}",
            random_students(rng, results.procedure, 12, prefix=letter),
        )
    assert [count("api:analysis-class-list"), count("api:analysis-procedure-list")] == before
