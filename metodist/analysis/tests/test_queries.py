"""The analysis pages run a constant number of queries, however many schools, classes and students."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.registry.tests.factories import OrganisationFactory

from .factories import add_class, random_students

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow(results, schools: int = 3) -> None:
    rng = random.Random(11)
    for n in range(schools):
        school = OrganisationFactory(territory=results.world.m1, short_name=f"Школа Д{n}")
        for letter in "АБ":
            add_class(
                results.procedure,
                school,
                f"6{letter}",
                random_students(rng, results.procedure, 15, prefix=f"D{n}{letter}"),
            )
    add_class(results.procedure, results.world.org_a, "6В", random_students(rng, results.procedure, 30, prefix="A3-"))


def test_page_queries_do_not_grow_with_rows(client, results):
    w, p = results.world, results.procedure.pk
    client.force_login(w.users["methodologist"])
    urls = {
        "index": reverse("analysis:index"),
        "territory": reverse("analysis:territory", args=[p, w.m1.pk]),
        "region": reverse("analysis:territory", args=[p, w.region.pk]),
        "school": reverse("analysis:school", args=[p, w.org_a.pk]),
        "class": reverse("analysis:class", args=[results.a1.pk]),
        "low_results": reverse("analysis:low_results") + f"?territory={w.m1.pk}&year=2025",
        "territory_export": reverse("analysis:territory_export", args=[p, w.m1.pk]) + "?table=tasks",
        "school_report": reverse("analysis:school_report", args=[p, w.org_a.pk]),
    }
    client.force_login(w.users["region_observer"])  # sees the region page too
    before = {name: _count(client, url) for name, url in urls.items()}
    _grow(results)
    after = {name: _count(client, url) for name, url in urls.items()}
    assert after == before
    assert max(before.values()) <= 40, before
