"""Deleting what belongs to a person and teaching assignments: every kind reaches its own view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metodist.registry.models import Award, CourseCompletion, TeachingAssignment
from metodist.registry.tests.factories import (
    CourseCompletionFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
)


def test_deleting_a_teaching_assignment_works(client, world):
    # Before the fix «<str:kind>/<int:pk>/delete/» caught «assignments/<pk>/delete/» and answered 400.
    school_class = SchoolClassFactory(organisation=world.org_a)
    assignment = TeachingAssignmentFactory(person=world.pa, school_class=school_class)
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("registry:assignment_delete", args=[assignment.pk]))
    assert response.status_code == 302
    assert response.url == reverse("registry:class_detail", args=[school_class.pk])
    assert not TeachingAssignment.objects.filter(pk=assignment.pk).exists()


def test_deleting_a_teaching_assignment_outside_the_scope_is_404(client, world):
    assignment = TeachingAssignmentFactory(person=world.pc, school_class=SchoolClassFactory(organisation=world.org_c))
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("registry:assignment_delete", args=[assignment.pk]))
    assert response.status_code == 404
    assert TeachingAssignment.objects.filter(pk=assignment.pk).exists()


def test_person_items_are_still_deleted_by_kind(client, world):
    course = CourseCompletionFactory(person=world.pa)
    award = Award.objects.create(person=world.pa, title="Грамота", level="municipal", year=2020)
    client.force_login(world.users["coordinator"])
    assert client.post(reverse("registry:person_item_delete", args=["course", course.pk])).status_code == 302
    assert client.post(reverse("registry:person_item_delete", args=["award", award.pk])).status_code == 302
    assert not CourseCompletion.objects.filter(pk=course.pk).exists()
    assert not Award.objects.filter(pk=award.pk).exists()


@pytest.mark.parametrize("kind", ["assignments", "employment", "person"])
def test_unknown_kinds_do_not_reach_the_person_item_view(client, world, kind):
    client.force_login(world.users["coordinator"])
    response = client.post(f"/registry/{kind}/1/delete/")
    assert response.status_code in (302, 404)  # a real route (assignments) or no route at all, never 400
    assert response.status_code != 400
