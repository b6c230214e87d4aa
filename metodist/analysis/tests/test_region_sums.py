"""The region's comparison column, kept in the cache by the version of the region's results, follows every load."""

from __future__ import annotations

import random

import pytest

from metodist.analysis import selectors
from metodist.assessments.models import ClassAssessment

from . import expected
from .factories import add_class, random_students

pytestmark = pytest.mark.django_db


def _column(results):
    tasks = selectors.procedure_tasks(results.procedure)
    thresholds = selectors.thresholds_for(results.world.m1)
    figures, marks = selectors.region_sums(results.procedure, results.world.region, tasks, thresholds)
    return {pk: f.rate for pk, f in figures.items()}, marks.total


def _expected(results):
    ids = list(ClassAssessment.objects.filter(procedure=results.procedure).values_list("pk", flat=True))
    students, _scores = expected.raw_rows(ids)
    marked = sum(1 for s in students if not s["absent"] and s["mark"] is not None)
    return expected.task_rates(ids), marked


def _same(got, want):
    (rates, marked), (want_rates, want_marked) = got, want
    assert marked == want_marked
    assert rates.keys() == want_rates.keys()
    for pk, rate in rates.items():
        assert rate == pytest.approx(want_rates[pk])


def test_region_column_is_recomputed_after_a_load_and_a_deletion(results):
    _same(_column(results), _expected(results))
    _same(_column(results), _expected(results))  # from the cache
    extra = add_class(
        results.procedure,
        results.world.org_c,
        "6Г",
        random_students(random.Random(1), results.procedure, 30, prefix="G-", skill=0.1),
    )
    _same(_column(results), _expected(results))
    extra.delete()
    _same(_column(results), _expected(results))
