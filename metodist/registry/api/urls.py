"""Routes of the registry API, registered into the project's router in config/api.py."""

from __future__ import annotations

from rest_framework.routers import BaseRouter

from . import views

ROUTES = [
    ("territories", views.TerritoryViewSet, "territory"),
    ("organisations", views.OrganisationViewSet, "organisation"),
    ("people", views.PersonViewSet, "person"),
    ("employments", views.EmploymentViewSet, "employment"),
    ("courses", views.CourseCompletionViewSet, "course"),
    ("school-classes", views.SchoolClassViewSet, "school-class"),
    ("teaching-assignments", views.TeachingAssignmentViewSet, "teaching-assignment"),
    ("positions", views.PositionViewSet, "position"),
    ("subjects", views.SubjectViewSet, "subject"),
]


def register(router: BaseRouter) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
