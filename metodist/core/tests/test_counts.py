"""The count cache (metodist.core.counts): a list's total is served from the cache only while every table
its statement reads is unchanged — whatever way the rows were written."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from metodist.core.counts import (
    CachedCountPaginator,
    cached_count,
    database_versioned_tables,
    table_state,
    versioned_tables,
)
from metodist.core.tests.fixtures import build_world
from metodist.registry.models import Employment, Person, PersonMatchRequest, Territory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="version triggers are PostgreSQL's"),
]


@pytest.fixture
def world():
    cache.clear()
    return build_world()


def _people_of(user):
    return Person.objects.visible_to(user)


def _count_statements(django_assert_num_queries, queryset, expected):
    with django_assert_num_queries(expected) as captured:
        value = cached_count(queryset)
    return value, [q["sql"] for q in captured.captured_queries]


def test_second_count_is_served_from_the_cache(world, django_assert_num_queries):
    user = world.users["methodologist"]
    expected = _people_of(user).count()
    first, statements = _count_statements(django_assert_num_queries, _people_of(user), 2)
    assert first == expected
    assert any("COUNT(" in sql for sql in statements)
    second, statements = _count_statements(django_assert_num_queries, _people_of(user), 1)
    assert second == expected
    assert not any("COUNT(" in sql for sql in statements)  # only the versions were read


@pytest.mark.parametrize("how", ["save", "bulk_create", "update", "delete", "raw"])
def test_any_write_to_a_read_table_refreshes_the_count(world, how):
    user = world.users["methodologist"]
    before = cached_count(_people_of(user))
    assert before == _people_of(user).count()
    person = _people_of(user).first()
    if how == "save":
        for employment in Employment.objects.filter(person=person):
            employment.end_date = datetime.date(2011, 1, 1)
            employment.save()
    elif how == "bulk_create":
        Person.objects.bulk_create([Person(last_name="Новый", first_name="Человек")])
        Employment.objects.bulk_create(
            [
                Employment(
                    person=Person.objects.get(last_name="Новый"),
                    organisation=world.org_a,
                    position=Employment.objects.filter(person=person).first().position,
                )
            ]
        )
    elif how == "update":
        Employment.objects.filter(person=person).update(end_date="2011-01-01")
    elif how == "delete":
        person.delete()
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE registry_employment SET end_date = '2011-01-01' WHERE person_id = %s", [person.pk])
    after = _people_of(user).count()
    assert after != before
    assert cached_count(_people_of(user)) == after


def test_a_rolled_back_write_leaves_no_stale_count(world):
    user = world.users["methodologist"]
    before = cached_count(_people_of(user))
    person = _people_of(user).first()
    with pytest.raises(RuntimeError), transaction.atomic():
        Employment.objects.filter(person=person).update(end_date="2011-01-01")
        assert cached_count(_people_of(user)) == before - 1  # seen inside the transaction, cached under its version
        raise RuntimeError
    assert cached_count(_people_of(user)) == before
    # a later, committed write that happens to reach the same state of versions cannot meet that entry
    Employment.objects.filter(person=person).update(end_date="2011-01-01")
    assert cached_count(_people_of(user)) == _people_of(user).count() == before - 1


def test_each_scope_and_filter_has_its_own_count(world):
    methodologist, coordinator = world.users["methodologist"], world.users["coordinator"]
    assert cached_count(_people_of(methodologist)) == _people_of(methodologist).count()
    assert cached_count(_people_of(coordinator)) == _people_of(coordinator).count()
    assert _people_of(methodologist).count() != _people_of(coordinator).count()
    named = _people_of(methodologist).filter(last_name__startswith=world.pa.last_name[:3])
    assert cached_count(named) == named.count()


def test_a_statement_over_an_unversioned_table_is_always_counted(world, django_assert_num_queries):
    queryset = type(world.users["methodologist"]).objects.all()  # accounts_user has no version trigger
    expected = queryset.count()
    for _ in range(2):
        with django_assert_num_queries(1):
            assert cached_count(queryset) == expected


def test_table_state_changes_with_every_write(world):
    first = table_state(["registry_territory"])
    assert first is not None
    Territory.objects.filter(pk=world.region.pk).update(name="Переименованный регион")
    assert table_state(["registry_territory"]) != first
    assert table_state(["registry_territory", "accounts_user"]) is None


def test_paginator_uses_the_cache(world):
    queryset = _people_of(world.users["methodologist"]).order_by("id")
    paginator = CachedCountPaginator(queryset, 2)
    assert paginator.count == queryset.count()
    assert paginator.num_pages == -(-queryset.count() // 2)


def test_registered_versioned_tables_are_the_triggered_ones(world):
    """What apps declare (no query at run time) is exactly what their migrations installed."""
    assert versioned_tables() == database_versioned_tables()
    assert "registry_person" in versioned_tables()


def test_a_migrated_table_has_a_version_before_its_first_write(world):
    """Counts are cached from the start (the migration seeds the versions), not only after a write."""
    assert not PersonMatchRequest.objects.exists()
    assert table_state(["registry_personmatchrequest"]) is not None
