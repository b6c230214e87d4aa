"""Routes of the registry (pages and API) for the canary walker; see metodist/core/tests/canary.py.

Every variant points at the out-of-scope canary (or at the bridge, a person in school A whose second
employment lies in the canary organisation), and lists add the filters, searches and formats that could
pull canary rows in.
"""

from __future__ import annotations

from metodist.core.tests.canary import CANARY_SNILS, variant
from metodist.registry.models import PersonMatchRequest, Position, Subject


def build(world) -> None:
    """Match requests: one for the canary school by the canary user, marked everywhere; one by school A's
    coordinator whose person matches the canary (same СНИЛС) — school A's side may see the request, never
    the match."""
    coordinator = world.base.users["coordinator"]
    world.extra["match_request"] = PersonMatchRequest.objects.create(
        organisation=world.organisation,
        requested_by=world.user,
        source="form",
        source_label=world.mark("форма"),
        last_name=world.mark("Канарейкина"),
        first_name=world.mark("Кира"),
        patronymic=world.mark("Карловна"),
        snils=world.person.snils,
        person_values={"email": world.person.email, "phone": world.person.phone, "education": world.mark("Высшее")},
        employment_values=[{"organisation": world.organisation.pk, "note": world.mark("должность")}],
        matched_person=world.person,
    )
    world.extra["match_request_into_scope"] = PersonMatchRequest.objects.create(
        organisation=world.base.org_a,
        requested_by=coordinator,
        source="form",
        last_name="Пришлая",
        first_name="Кира",
        snils=world.person.snils,
        person_values={},
        employment_values=[{"organisation": world.base.org_a.pk}],
        matched_person=world.person,
    )


def _mentee(w, **query) -> list[dict]:
    """The mentor's mentee (public card only), where the relation exists (see core/tests/canary.py)."""
    return [variant(pk=w.mentee.pk, query=query)] if w.mentee is not None else []


def _person_list_queries(w) -> list[dict]:
    return [
        variant(query={"q": w.search_term}),
        variant(query={"q": w.person.email.split("@")[0][1:]}),
        variant(query={"organisation": w.organisation.pk}),
        variant(query={"territory": w.territory.pk}),
        variant(query={"is_manager": "true"}),
        variant(query={"category_expiring": "true"}),
        variant(query={"young": "true"}),
        variant(query={"recent_courses": "true"}),
        variant(query={"is_manager": "true", "category_expiring": "true", "sort": "last_name"}),
    ]


def _export_queries(w, *, search: str) -> list[dict]:
    return [
        variant(query={"format": "csv"}),
        variant(query={"format": "xlsx"}),
        variant(query={"format": "csv", "q": search, "organisation": w.organisation.pk}),
        variant(query={"format": "xlsx", "territory": w.territory.pk, "q": search}),
        variant(query={"format": "csv", "is_manager": "true", "category_expiring": "true"}),
    ]


def _organisation_list_queries(w) -> list[dict]:
    return [
        variant(query={"q": w.search_term}),
        variant(query={"q": w.organisation.inn}),
        variant(query={"territory": w.territory.pk}),
        variant(query={"low_results": "true", "innovation_site": "rip"}),
    ]


def _api_list(*queries, browsable: bool = True):
    def declare(w) -> list[dict]:
        # The browsable API renders forms whose related fields list choices: walk it where there are forms.
        found = [variant(query={"format": "api"})] if browsable else []
        for query in queries:
            found.append(variant(query=query(w)))
        return found

    return declare


# School A's coordinator typed the canary's СНИЛС into their own request: it is shown back to them (and to
# their methodologist), never the canary it matches — the marker still catches any trace of the match.
_TYPED_BY_REQUESTER = (CANARY_SNILS,)

CANARY_ROUTES = {
    # People -------------------------------------------------------------------------------------
    "registry:person_list": _person_list_queries,
    "registry:person_export": lambda w: _export_queries(w, search=w.search_term),
    "registry:person_detail": lambda w: [variant(pk=w.person.pk, hidden=True), variant(pk=w.bridge.pk), *_mentee(w)],
    "registry:person_edit": lambda w: [variant(pk=w.person.pk, hidden=True), variant(pk=w.bridge.pk), *_mentee(w)],
    "registry:employment_create": lambda w: [variant(pk=w.person.pk, hidden=True), variant(pk=w.bridge.pk)],
    "registry:course_create": lambda w: [variant(pk=w.person.pk, hidden=True), *_mentee(w)],
    "registry:award_create": lambda w: [variant(pk=w.person.pk, hidden=True)],
    "registry:status_create": lambda w: [variant(pk=w.person.pk, hidden=True)],
    "registry:employment_edit": lambda w: [
        variant(pk=w.employment.pk, hidden=True),
        variant(pk=w.bridge_employment.pk),
    ],
    "registry:course_edit": lambda w: [variant(pk=w.course.pk, hidden=True)],
    "registry:person_item_delete": lambda w: [
        variant(kind="course", pk=w.course.pk, hidden=True),
        variant(kind="award", pk=w.award.pk, hidden=True),
        variant(kind="status", pk=w.status.pk, hidden=True),
    ],
    # Organisations ------------------------------------------------------------------------------
    "registry:organisation_list": _organisation_list_queries,
    "registry:organisation_export": lambda w: _export_queries(w, search=w.search_term),
    "registry:organisation_detail": lambda w: [variant(pk=w.organisation.pk, hidden=True)],
    "registry:organisation_autocomplete": lambda w: [
        variant(query={"q": w.search_term}),
        variant(query={"q": w.organisation.inn}),
        variant(query={"territory": w.territory.pk}),
        variant(query={}),
    ],
    "registry:organisation_edit": lambda w: [variant(pk=w.organisation.pk, hidden=True)],
    "registry:class_create": lambda w: [variant(pk=w.organisation.pk, hidden=True)],
    "registry:class_detail": lambda w: [variant(pk=w.school_class.pk, hidden=True)],
    "registry:assignment_delete": lambda w: [variant(pk=w.assignment.pk, hidden=True)],
    # Person match requests («на подтверждении у методиста») ------------------------------------
    "registry:match_request_list": lambda w: [variant(query={"state": "pending"}), variant(query={"q": w.search_term})],
    "registry:match_request_detail": lambda w: [
        variant(pk=w.extra["match_request"].pk, hidden=True),
        variant(pk=w.extra["match_request_into_scope"].pk, allow=_TYPED_BY_REQUESTER),
    ],
    "registry:match_request_confirm": lambda w: [
        variant(pk=w.extra["match_request"].pk, hidden=True),
        variant(pk=w.extra["match_request_into_scope"].pk, allow=_TYPED_BY_REQUESTER),
    ],
    "registry:match_request_reject": lambda w: [
        variant(pk=w.extra["match_request"].pk, hidden=True),
        variant(pk=w.extra["match_request_into_scope"].pk, allow=_TYPED_BY_REQUESTER),
    ],
    # API ----------------------------------------------------------------------------------------
    "api:territory-list": _api_list(
        lambda w: {"parent": w.region.pk}, lambda w: {"kind": "municipality"}, browsable=False
    ),
    "api:territory-detail": lambda w: [variant(pk=w.territory.pk, hidden=True), variant(pk=w.region.pk, hidden=True)],
    "api:organisation-list": _api_list(
        lambda w: {"q": w.search_term}, lambda w: {"territory": w.territory.pk}, lambda w: {"page_size": 500}
    ),
    "api:organisation-detail": lambda w: [
        variant(pk=w.organisation.pk, hidden=True),
        variant(pk=w.organisation.pk, query={"format": "api"}, hidden=True),
    ],
    "api:person-list": _api_list(
        lambda w: {"q": w.search_term},
        lambda w: {"organisation": w.organisation.pk},
        lambda w: {"territory": w.territory.pk},
        lambda w: {"is_manager": "true"},
        lambda w: {"category_expiring": "true"},
        lambda w: {"page_size": 500},
    ),
    "api:person-detail": lambda w: [
        *_mentee(w),
        variant(pk=w.person.pk, hidden=True),
        variant(pk=w.bridge.pk),
        variant(pk=w.bridge.pk, query={"format": "api"}),
    ],
    "api:employment-list": _api_list(
        lambda w: {"person": w.bridge.pk}, lambda w: {"organisation": w.organisation.pk}, lambda w: {"page_size": 500}
    ),
    "api:employment-detail": lambda w: [variant(pk=w.employment.pk, hidden=True), variant(pk=w.bridge_employment.pk)],
    "api:course-list": _api_list(lambda w: {"person": w.person.pk}),
    "api:course-detail": lambda w: [variant(pk=w.course.pk, hidden=True)],
    "api:school-class-list": _api_list(lambda w: {"organisation": w.organisation.pk}),
    "api:school-class-detail": lambda w: [variant(pk=w.school_class.pk, hidden=True)],
    "api:teaching-assignment-list": _api_list(
        lambda w: {"person": w.person.pk}, lambda w: {"organisation": w.organisation.pk}
    ),
    "api:teaching-assignment-detail": lambda w: [variant(pk=w.assignment.pk, hidden=True)],
    # Reference data: the same for everyone, no personal data.
    "api:position-list": _api_list(browsable=False),
    "api:position-detail": lambda w: [variant(pk=Position.objects.order_by("pk").first().pk)],
    "api:subject-list": _api_list(browsable=False),
    "api:subject-detail": lambda w: [variant(pk=Subject.objects.order_by("pk").first().pk)],
}
