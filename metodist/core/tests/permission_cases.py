"""Generated permission tests, after NetBox's ``ViewTestCases``: a model declares data, the base makes the tests.

A model's test module declares a :class:`ModelCases` — how to find its objects in the test world (keyed
like ``EXPECTED_SCOPE``'s ``people`` or ``orgs`` sets), how a list or an export shows an object, and its
routes as :class:`RouteCase` (kind, URL name, kwargs, form or API data, how to tell that a write took
effect). :func:`generate` turns that into one pytest case per route × role × object in / out of the
role's scope, and :func:`run` runs one, with the outcome derived from ``EXPECTED_SCOPE``:

=============  ===========================================  ============================================
kind           allowed action, object in scope / out        action never allowed to the role / anonymous
=============  ===========================================  ============================================
list, export   200, the object listed / not listed          403 (export) / login redirect
detail         200 / 404                                    — / login redirect
create         GET 200; POST 302, created / 200, not (*)   403, nothing created / login redirect
edit           GET 200, POST 302, changed / 404, 404        403, unchanged / login redirect
delete         POST 302, deleted / 404, kept                403, kept / login redirect
api_list       200, listed / not listed                     — / 401
api_detail     200 / 404                                    — / 401
api_create     201, created / 400, not created              403 / 401
api_patch      200, changed / 404, unchanged                403 / 401
=============  ===========================================  ============================================

(*) "Create out of scope" means creating it under a parent outside the scope: when the parent is a form
field (the school of a new person) the form answers 200 with an error; when the URL names it (a person's
new course) the answer is 404, as for any out-of-scope object.
A route whose outcome differs for a role on purpose declares it in ``overrides`` with the reason.
The world is built once per module (:func:`module_world`); every test runs in a savepoint on top of it,
so writes are rolled back.

Example (see ``metodist/registry/tests/test_generated_permissions.py``)::

    PEOPLE = ModelCases(
        model="person",
        scope="people",
        objects=lambda w: w.people(),
        shows=lambda person: person.last_name,
        routes=[
            RouteCase("list", "registry:person_list"),
            RouteCase("detail", "registry:person_detail", kwargs=lambda p: {"pk": p.pk}),
            RouteCase("edit", "registry:person_edit", kwargs=lambda p: {"pk": p.pk},
                      data=lambda w, p: {"last_name": "Изменённая", "first_name": p.first_name},
                      written=lambda w, p: Person.objects.get(pk=p.pk).last_name == "Изменённая"),
        ],
    )
    pytestmark = pytest.mark.django_db
    world = module_world(build)

    @pytest.mark.parametrize("case", generate(PEOPLE))
    def test_permissions(client, world, case):
        run(client, world, case)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from metodist.accounts.choices import Action
from metodist.core.tests.fixtures import EXPECTED_SCOPE

ANONYMOUS = "anonymous"
ROLES = [*sorted(EXPECTED_SCOPE), ANONYMOUS]

KIND_ACTION = {
    "list": Action.VIEW,
    "detail": Action.VIEW,
    "export": Action.EXPORT,
    "create": Action.CHANGE,
    "edit": Action.CHANGE,
    "delete": Action.CHANGE,
    "api_list": Action.VIEW,
    "api_detail": Action.VIEW,
    "api_create": Action.CHANGE,
    "api_patch": Action.CHANGE,
}
LISTING_KINDS = {"list", "export", "api_list"}
WRITE_KINDS = {"create", "edit", "delete", "api_create", "api_patch"}


@dataclass(frozen=True)
class RouteCase:
    """One route of a model: what kind it is, how to call it and how to tell that a write took effect."""

    kind: str
    name: str
    kwargs: Callable[[Any], dict] | None = None  # object → URL kwargs; None: the route takes none
    data: Callable[[Any, Any], dict] | None = None  # (world, object) → form or JSON data of a write
    written: Callable[[Any, Any], bool] | None = None  # (world, object) → did the write take effect?
    query: dict = field(default_factory=dict)
    # "role" or "role:in" / "role:out" → the expected outcome replacing the derived one (say why where declared)
    overrides: dict[str, dict] = field(default_factory=dict)
    label: str = ""

    @property
    def action(self) -> str:
        return KIND_ACTION[self.kind]

    @property
    def is_api(self) -> bool:
        return self.kind.startswith("api_")


@dataclass(frozen=True)
class ModelCases:
    """What a model declares to get its permission tests."""

    model: str
    scope: str  # the EXPECTED_SCOPE key whose keys name this model's objects: "people" or "orgs"
    objects: Callable[[Any], dict[str, Any]]  # world → {key: object}
    shows: Callable[[Any], str]  # object → the text a list or an export shows it by
    routes: list[RouteCase]


@dataclass(frozen=True)
class Case:
    cases: ModelCases
    route: RouteCase
    role: str
    side: str  # "in" or "out" of the role's scope

    def __str__(self) -> str:
        label = f"-{self.route.label}" if self.route.label else ""
        return f"{self.cases.model}-{self.route.kind}{label}-{self.role}-{self.side}"


def allows(role: str, action: str) -> bool:
    if role == ANONYMOUS:
        return False
    expected = EXPECTED_SCOPE[role]
    return {Action.VIEW: True, Action.CHANGE: expected["change"], Action.EXPORT: expected["export"]}[action]


def _sides(cases: ModelCases, route: RouteCase, role: str) -> list[str]:
    keys = EXPECTED_SCOPE.get(role, {}).get(cases.scope, set())
    everything = set(EXPECTED_SCOPE["admin"][cases.scope])
    sides = []
    if keys:
        sides.append("in")
    if everything - keys:
        sides.append("out")
    if role == ANONYMOUS or (route.action != Action.VIEW and not allows(role, route.action)):
        return sides[:1]  # the answer does not depend on the object: one test is enough
    return sides


def generate(*all_cases: ModelCases) -> list:
    """pytest params: every route of every model × every role × in / out of the role's scope."""
    params = []
    for cases in all_cases:
        for route in cases.routes:
            for role in ROLES:
                for side in _sides(cases, route, role):
                    case = Case(cases, route, role, side)
                    params.append(pytest.param(case, id=str(case)))
    return params


def expected(case: Case) -> dict:
    """The outcome ``EXPECTED_SCOPE`` implies: status of the GET and of the write, listed, written."""
    route, role, inside = case.route, case.role, case.side == "in"
    for key in (f"{role}:{case.side}", role):
        if key in route.overrides:
            return route.overrides[key]
    kind = route.kind
    if role == ANONYMOUS:
        status = 401 if route.is_api else "login"
        return {"get": status, "write": status, "written": False}
    if not allows(role, route.action):
        if kind in ("create", "edit"):
            return {"get": 403, "write": 403, "written": False}
        if kind in ("delete", "api_create", "api_patch"):
            return {"write": 403, "written": False}
        return {"get": 403}
    if kind in LISTING_KINDS:
        return {"get": 200, "listed": inside}
    if kind in ("detail", "api_detail"):
        return {"get": 200 if inside else 404}
    if kind == "create" and route.kwargs is not None:  # under a parent named in the URL (a person's course)
        return {"get": 200 if inside else 404, "write": 302 if inside else 404, "written": inside}
    if kind == "create":  # the parent is a form field (the school of a new person): out of scope is a form error
        return {"get": 200, "write": 302 if inside else 200, "written": inside}
    if kind == "api_create":
        return {"write": 201 if inside else 400, "written": inside}
    if kind == "edit":
        return {"get": 200 if inside else 404, "write": 302 if inside else 404, "written": inside}
    if kind == "delete":
        return {"write": 302 if inside else 404, "written": inside}
    if kind == "api_patch":
        return {"write": 200 if inside else 404, "written": inside}
    raise AssertionError(f"unknown kind {kind}")


def pick(world, case: Case):
    """The object of the case: the first (by key) in the role's scope, or the first outside it."""
    objects = case.cases.objects(world)
    keys = EXPECTED_SCOPE.get(case.role, {}).get(case.cases.scope, set())
    if case.side == "in":
        return objects[sorted(keys)[0]]
    return objects[sorted(set(objects) - keys)[0]]


def _url(route: RouteCase, obj) -> str:
    url = reverse(route.name, kwargs=route.kwargs(obj) if route.kwargs else None)
    return f"{url}?{urlencode(route.query, doseq=True)}" if route.query else url


def _body(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)  # one spelling: '"key": "value"'
    if getattr(response, "streaming", False):
        from metodist.core.tests.canary import decode_body

        return decode_body(b"".join(response.streaming_content), response.get("Content-Type", ""))
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from metodist.core.tests.canary import decode_body

        return decode_body(response.content, response["Content-Type"])
    return response.content.decode("utf-8-sig", errors="replace")


def _assert_status(response, status, what: str) -> None:
    if status == "login":
        assert response.status_code == 302, f"{what}: {response.status_code}, expected a login redirect"
        assert response.url.startswith(reverse("login")), f"{what}: redirected to {response.url}"
        return
    errors = ""
    if response.status_code != status and response.context is not None:
        forms = [value for key, value in response.context.flatten().items() if hasattr(value, "errors") and key]
        errors = "; ".join(str(form.errors.as_data()) for form in forms if getattr(form, "errors", None))
    if response.status_code != status and response.get("Content-Type", "").startswith("application/json"):
        errors = response.content.decode()[:500]
    assert response.status_code == status, f"{what}: {response.status_code}, expected {status} {errors}"


def run(client, world, case: Case) -> None:
    """Run one generated case and check its derived outcome."""
    route = case.route
    obj = pick(world, case)
    if case.role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.session_keys[case.role]
    url = _url(route, obj)
    outcome = expected(case)
    if "get" in outcome:
        response = client.get(url, HTTP_ACCEPT="application/json") if route.is_api else client.get(url)
        _assert_status(response, outcome["get"], f"GET {url}")
        if "listed" in outcome:
            body = _body(response)
            shown = case.cases.shows(obj)
            assert (shown in body) is outcome["listed"], f"GET {url}: {shown!r} listed is not {outcome['listed']}"
    if "write" in outcome and (route.data is not None or route.kind == "delete"):
        data = route.data(world, obj) if route.data else {}
        with transaction.atomic():
            if route.kind == "api_create":
                response = client.post(url, data, content_type="application/json")
            elif route.kind == "api_patch":
                response = client.patch(url, data, content_type="application/json")
            else:
                response = client.post(url, data)
            _assert_status(response, outcome["write"], f"{'PATCH' if route.kind == 'api_patch' else 'POST'} {url}")
            if route.written is not None:
                assert route.written(world, obj) is outcome.get("written", False), f"{url}: written is wrong"
            transaction.set_rollback(True)


def module_world(build: Callable[[], Any]):
    """A module-scoped fixture: the world built once, inside a transaction rolled back after the module."""

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            built = build()
            # One session per user for the whole module: a login per test would cost more than the test.
            built.session_keys = {}
            for role, user in built.users.items():
                login = Client()
                login.force_login(user)
                built.session_keys[role] = login.cookies[settings.SESSION_COOKIE_NAME].value
            yield built
            transaction.set_rollback(True)

    return world
