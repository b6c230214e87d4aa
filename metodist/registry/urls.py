from django.urls import path, register_converter

from . import autocomplete, views


class PersonItemKind:
    """Only the kinds ``views.person_item_delete`` deletes, so that other «…/<pk>/delete/» routes stay reachable."""

    regex = "|".join(views.PERSON_ITEM_KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PersonItemKind, "person_item")

app_name = "registry"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/export/", views.person_export, name="person_export"),
    path("people/add/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/employments/add/", views.employment_create, name="employment_create"),
    path("people/<int:pk>/courses/add/", views.course_create, name="course_create"),
    path("people/<int:pk>/awards/add/", views.award_create, name="award_create"),
    path("people/<int:pk>/statuses/add/", views.status_create, name="status_create"),
    path("employments/<int:pk>/edit/", views.employment_edit, name="employment_edit"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("<person_item:kind>/<int:pk>/delete/", views.person_item_delete, name="person_item_delete"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/export/", views.organisation_export, name="organisation_export"),
    path("organisations/autocomplete/", autocomplete.organisation_autocomplete, name="organisation_autocomplete"),
    path("organisations/add/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/classes/add/", views.class_create, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("assignments/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("requests/", views.match_request_list, name="match_request_list"),
    path("requests/<int:pk>/", views.match_request_detail, name="match_request_detail"),
    path("requests/<int:pk>/confirm/", views.match_request_confirm, name="match_request_confirm"),
    path("requests/<int:pk>/reject/", views.match_request_reject, name="match_request_reject"),
]
