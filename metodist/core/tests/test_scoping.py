"""The scoping mechanism: every role sees exactly its scope of people and organisations."""

import pytest

from metodist.accounts.choices import Action
from metodist.core.scoping import scope_for
from metodist.core.tests.fixtures import EXPECTED_SCOPE
from metodist.registry.models import Employment, Organisation, Person


@pytest.mark.parametrize("username", sorted(EXPECTED_SCOPE))
def test_people_and_organisations_visible_to_each_role(world, username):
    user = world.users[username]
    expected = EXPECTED_SCOPE[username]
    people = {key for key, p in world.people().items() if Person.objects.visible_to(user).filter(pk=p.pk).exists()}
    orgs = {
        key
        for key, o in world.organisations().items()
        if Organisation.objects.visible_to(user).filter(pk=o.pk).exists()
    }
    assert people == expected["people"]
    assert orgs == expected["orgs"]


@pytest.mark.parametrize("username", sorted(EXPECTED_SCOPE))
def test_change_and_export_rights(world, username):
    user = world.users[username]
    expected = EXPECTED_SCOPE[username]
    changeable = set(Person.objects.visible_to(user, Action.CHANGE).values_list("pk", flat=True))
    exportable = set(Person.objects.visible_to(user, Action.EXPORT).values_list("pk", flat=True))
    visible = {world.people()[key].pk for key in expected["people"]}
    assert changeable == (visible if expected["change"] else set())
    assert exportable == (visible if expected["export"] else set())


def test_former_employees_leave_the_coordinators_scope(world):
    import datetime

    Employment.objects.filter(person=world.pa2).update(end_date=datetime.date(2020, 1, 1))
    coordinator = world.users["coordinator"]
    assert not Person.objects.visible_to(coordinator).filter(pk=world.pa2.pk).exists()


def test_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    user = world.users["methodologist"]
    scope_for(user)
    with django_assert_num_queries(0):
        scope_for(user)


def test_inactive_user_sees_nothing(world):
    user = world.users["admin"]
    user.is_active = False
    assert not Person.objects.visible_to(user).exists()
