"""The benchmark generator at a tiny scale (no timings here: see bench/run.py)."""

import pytest

from bench import generate
from metodist.accounts.models import User
from metodist.core.scoping import scope_for
from metodist.registry import models as registry


@pytest.mark.django_db
def test_tiny_region():
    summary = generate.generate_region(organisations=5, municipalities=2, people=50, seed=1)
    region = registry.Territory.objects.get(name=generate.REGION_NAME)
    assert registry.Territory.objects.filter(parent=region).count() == 2
    assert registry.Organisation.objects.count() == summary.organisations == 5
    assert registry.Person.objects.count() == summary.people == 50
    assert registry.Employment.objects.count() == summary.employments >= 50
    assert registry.CourseCompletion.objects.count() == summary.courses >= 40
    assert registry.Organisation.objects.filter(kind="methodological_centre").count() == 2
    assert generate.region_exists()

    users = {u.username: u for u in User.objects.filter(username__in=generate.BENCH_USERS)}
    assert set(users) == set(generate.BENCH_USERS)
    assert registry.Person.objects.visible_to(users["bench_region"]).count() == 50
    municipal = registry.Person.objects.visible_to(users["bench_municipal"]).count()
    coordinator = registry.Person.objects.visible_to(users["bench_coordinator"]).count()
    assert 0 < coordinator < municipal <= 50
    assert scope_for(users["bench_coordinator"]).organisation_ids
