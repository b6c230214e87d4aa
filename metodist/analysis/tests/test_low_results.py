"""ШНОР by the configurable rule over the year's procedures, beside the registry's manual flag."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.urls import reverse

from metodist.analysis import reports
from metodist.analysis.models import AnalysisThresholds
from metodist.assessments.models import ClassAssessment

from . import expected
from .factories import add_class, make_procedure, random_students

pytestmark = pytest.mark.django_db


def _second_procedure(results):
    rng = random.Random(5)
    procedure = make_procedure(title="ВПР 2025 математика 6 (второй вариант)")
    for school, skill in ((results.world.org_a, 0.6), (results.world.org_b, 0.3), (results.world.org_c, 0.7)):
        add_class(procedure, school, "6А", random_students(rng, procedure, 20, prefix=f"{school.pk}-", skill=skill))
    return procedure


def _expected_rule(results, procedures, thresholds):
    """Plain Python: a school meets the rule in a procedure when it is ≥ gap below the region or has ≥ share of «2»."""
    region_ids = lambda p: list(ClassAssessment.objects.filter(procedure=p).values_list("pk", flat=True))  # noqa: E731
    hits: dict[str, int] = {}
    for procedure in procedures:
        region_rate = expected.overall(region_ids(procedure))
        for school in (results.world.org_a, results.world.org_b):
            ids = list(
                ClassAssessment.objects.filter(procedure=procedure, organisation=school).values_list("pk", flat=True)
            )
            if not ids:
                continue
            marks = expected.marks(ids)
            low = region_rate - expected.overall(ids) >= float(thresholds.low_results_gap)
            fails = marks["shares"][2] >= float(thresholds.low_results_fail_share)
            if low or fails:
                hits[school.short_name] = hits.get(school.short_name, 0) + 1
    return hits


def test_rule_over_the_year_and_the_manual_flag(client, results):
    second = _second_procedure(results)
    thresholds = AnalysisThresholds.objects.create(low_results_gap=Decimal(10), low_results_fail_share=Decimal(30))
    user = results.world.users["methodologist"]
    data = reports.low_results_schools(user, results.world.m1, 2025)
    hits = _expected_rule(results, [results.procedure, second], thresholds)
    by_rule = {row.organisation.short_name for row in data["rows"] if row.by_rule}
    assert by_rule == {name for name, count in hits.items() if count >= 2}
    assert "Школа Б" in by_rule  # the weak school of the fixtures
    # The manual flag stays and is shown beside the rule, even for a school the rule does not list.
    results.world.org_a.low_results = True
    results.world.org_a.save()
    client.force_login(user)
    body = client.get(reverse("analysis:low_results") + f"?territory={results.world.m1.pk}&year=2025").content.decode()
    assert 'data-school="Школа А"' in body and 'data-school="Школа Б"' in body
    assert "Школа В" not in body  # the other municipality
    # A stricter rule (three procedures) lists nobody by the rule; the manual flag is still there.
    thresholds.low_results_min_procedures = 3
    thresholds.save()
    data = reports.low_results_schools(user, results.world.m1, 2025)
    assert [r.organisation.short_name for r in data["rows"] if r.by_rule] == []
    assert [r.organisation.short_name for r in data["rows"]] == ["Школа А"]


def test_changed_thresholds_change_the_page_and_are_named(client, results):
    user = results.world.users["methodologist"]
    client.force_login(user)
    url = reverse("analysis:class", args=[results.a1.pk])
    response = client.post(
        reverse("analysis:thresholds_edit", args=[results.world.m1.pk]),
        {
            "basic_sufficient": "10",
            "basic_uncertain": "5",
            "advanced_sufficient": "5",
            "advanced_uncertain": "1",
            "min_group": 10,
            "min_distribution": 20,
            "above_region_gap": 15,
            "inversion_gap": 5,
            "journal_mismatch_share": 50,
            "peak_ratio": 2,
            "peak_min_share": 10,
            "low_results_gap": 10,
            "low_results_fail_share": 30,
            "low_results_min_procedures": 2,
            "note": "приказ № 1",
        },
    )
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "пороги территории «Первый район»" in body
    assert 'data-testid="no-deficits"' in body  # nothing is below 10 %
    # Impossible order is refused by the model's constraint message.
    response = client.post(
        reverse("analysis:thresholds_edit", args=[results.world.m1.pk]),
        {
            "basic_sufficient": "50",
            "basic_uncertain": "55",
            "advanced_sufficient": "30",
            "advanced_uncertain": "28.5",
            "min_group": 10,
            "min_distribution": 20,
            "above_region_gap": 15,
            "inversion_gap": 5,
            "journal_mismatch_share": 50,
            "peak_ratio": 2,
            "peak_min_share": 10,
            "low_results_gap": 10,
            "low_results_fail_share": 30,
            "low_results_min_procedures": 2,
        },
    )
    assert response.status_code == 200
    assert "не может быть выше" in response.content.decode()
