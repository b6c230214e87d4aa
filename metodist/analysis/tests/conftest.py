"""Fixtures of the analysis tests: the core test world with results in every school."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from metodist.assessments.models import ClassAssessment, Procedure
from metodist.core.tests.fixtures import World, build_world
from metodist.registry.tests.factories import SchoolClassFactory, TeachingAssignmentFactory, subject

from .factories import add_class, make_procedure, random_students


@dataclass
class Results:
    world: World
    procedure: Procedure
    a1: ClassAssessment  # 6А of school A, taught by the world's teacher (pa)
    a2: ClassAssessment  # 6Б of school A
    b1: ClassAssessment  # school B (same municipality)
    c1: ClassAssessment  # school C (the other municipality)


def build_results(world: World, *, seed: int = 3) -> Results:
    rng = random.Random(seed)
    procedure = make_procedure()
    math = subject("Математика")
    class_a1 = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="А")
    class_a2 = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="Б")
    TeachingAssignmentFactory(person=world.pa, school_class=class_a1, subject=math)
    a1 = add_class(
        procedure,
        world.org_a,
        "6А",
        random_students(rng, procedure, 24, prefix="A1-", skill=0.65),
        school_class=class_a1,
    )
    a2 = add_class(
        procedure,
        world.org_a,
        "6Б",
        random_students(rng, procedure, 22, prefix="A2-", skill=0.55),
        school_class=class_a2,
    )
    b1 = add_class(procedure, world.org_b, "6А", random_students(rng, procedure, 25, prefix="B1-", skill=0.4))
    c1 = add_class(procedure, world.org_c, "6В", random_students(rng, procedure, 21, prefix="C1-", skill=0.75))
    return Results(world, procedure, a1, a2, b1, c1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The region's sums are cached by the version of its results (selectors.region_sums): start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def results(world) -> Results:
    return build_results(world)


@pytest.fixture
def fresh_world(db) -> World:
    return build_world()
