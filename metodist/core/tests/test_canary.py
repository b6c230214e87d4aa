"""The canary walk: every URL name, as every user, never shows the out-of-scope canary.

See :mod:`metodist.core.tests.canary` for the world, the decoders and how an app declares its routes.
The world is built once for this module (inside a transaction rolled back at the end); every test
runs in its own savepoint on top of it.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import zipfile

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from metodist.core.tests import canary
from metodist.registry.models import Employment, Organisation, Person

WALK_ROLES = sorted(
    ["admin", "methodologist", "observer", "region_observer", "coordinator", "teacher", "mentor", "expert"]
    + ["association_head", "nobody", *canary.EXTRA_ROLES]
)

# Who sees which people and organisations in the canary world (by hand, independent of the querysets).
# "bridge" works in school A (and in the canary school); "pd" works in school C. "employments_in": the
# organisations whose employments the user sees (besides their own): two_roles coordinates school B and
# sees school C only through their own teacher's profile.
SCOPE: dict[str, dict[str, set[str]]] = {
    "methodologist": {"people": {"pa", "pa2", "pb", "bridge"}, "orgs": {"org_a", "org_b"}},
    "observer": {"people": {"pa", "pa2", "pb", "bridge"}, "orgs": {"org_a", "org_b"}},
    "region_observer": {"people": {"pa", "pa2", "pb", "pc", "pd", "bridge"}, "orgs": {"org_a", "org_b", "org_c"}},
    "coordinator": {"people": {"pa", "pa2", "bridge"}, "orgs": {"org_a"}},
    "two_roles": {"people": {"pb", "pd"}, "orgs": {"org_b", "org_c"}, "employments_in": {"org_b"}},
}


def _employment_visible(world, role: str, employment: Employment) -> bool:
    orgs = world.base.organisations()
    keys = SCOPE[role].get("employments_in", SCOPE[role]["orgs"])
    own = world.users[role].person_id
    return employment.organisation_id in {orgs[key].pk for key in keys} or employment.person_id == own


@pytest.fixture(scope="module")
def cworld(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = canary.build_canary_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def plan():
    return canary.walk_plan()


@pytest.fixture(scope="module")
def urls(plan, cworld):
    return canary.urls_to_walk(plan, cworld)


# The routes are all declared ---------------------------------------------------------------------


def test_every_route_with_kwargs_is_declared(plan):
    undeclared = [f"{route.name or '(unnamed)'}: {route.pattern} {sorted(route.kwargs)}" for route in plan.undeclared]
    assert not undeclared, (
        "Declare these routes in metodist/<app>/tests/canary.py CANARY_ROUTES (see core/tests/canary.py):\n"
        + "\n".join(undeclared)
    )


def test_no_declaration_names_a_missing_route(plan):
    assert not plan.stale, f"CANARY_ROUTES / CANARY_EXCLUDED name routes that do not exist: {plan.stale}"


@pytest.mark.django_db  # runs with the other tests of the world, before any transactional test flushes it
def test_the_walk_covers_the_known_routes(plan, urls):
    names = {name for name, _, _ in urls}
    for expected in (
        "core:dashboard",
        "registry:person_detail",
        "registry:person_export",
        "api:person-list",
        "api:person-detail",
        "imports:preview",
    ):
        assert expected in names
    assert any(reason == canary.EXCLUDED_NAMESPACES["admin"] for _, reason in plan.skipped)


# The walk ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", WALK_ROLES)
def test_canary_never_leaks(cworld, urls, role):
    visits = canary.walk(cworld, role, urls)
    if os.environ.get("CANARY_TIMING"):  # CANARY_TIMING=1 pytest -s … prints the slowest requests
        for item in sorted(visits, key=lambda v: -v.seconds)[:12]:
            print(f"{role} {item.seconds:.2f}s {item.status} {item.url}")
    found = canary.problems(visits, marker_allowed=role in canary.GLOBAL_ROLES)
    assert not found, f"{role}: {len(found)} of {len(visits)} requests failed:\n" + "\n".join(found)
    if role in canary.GLOBAL_ROLES:
        # The canary is really there: the administrator finds it where it lives (a walk that cannot fail
        # would be worthless).
        seen = {visit.name for visit in visits if visit.leaked}
        for name in (
            "registry:person_detail",
            "registry:person_list",
            "registry:person_export",
            "registry:organisation_detail",
            "registry:organisation_export",
            "registry:class_detail",
            "api:person-list",
            "api:person-detail",
            "api:organisation-detail",
            "api:course-detail",
            "api:territory-detail",
            "imports:preview",
            "core:audit",
        ):
            assert name in seen, f"the administrator does not see the canary on {name}"


@pytest.mark.django_db
def test_mentor_sees_the_mentees_public_card_only(client, cworld):
    """Field-level visibility: the mentee is reachable (not a 404) but nothing personal is shown."""
    if cworld.mentee is None:
        pytest.skip("the mentor → mentee relation is registered by the test settings' scoping app")
    client.force_login(cworld.users["mentor"])
    for url in (
        reverse("registry:person_detail", args=[cworld.mentee.pk]),
        reverse("api:person-detail", args=[cworld.mentee.pk]),
        reverse("api:person-list"),
        reverse("registry:person_list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = canary.decode_response(response)
        assert "Подопечная" in text, url
        assert not canary.leaked_needles(text, [canary.PERSONAL_MARKER]), url
    client.force_login(cworld.users["admin"])
    response = client.get(reverse("api:person-detail", args=[cworld.mentee.pk]))
    assert canary.leaked_needles(canary.decode_response(response), [canary.PERSONAL_MARKER])


# Figures -----------------------------------------------------------------------------------------


def _objects(world) -> tuple[dict[str, Person], dict[str, Organisation]]:
    people = {**world.base.people(), "bridge": world.bridge, "pd": world.pd}
    return people, world.base.organisations()


def _expected_figures(world, role: str, today: datetime.date) -> dict[str, int]:
    """The dashboard's figures computed in Python from the hand-written scope, not from the querysets."""
    people_by_key, orgs_by_key = _objects(world)
    scope = SCOPE[role]
    people = [people_by_key[key] for key in scope["people"]]
    org_ids = {orgs_by_key[key].pk for key in scope["orgs"]}
    soon = today + datetime.timedelta(days=365)
    expiring = set()
    for employment in Employment.objects.all():
        active = employment.end_date is None or employment.end_date >= today
        expires = employment.category_expires_on
        if _employment_visible(world, role, employment) and active and expires and today <= expires <= soon:
            expiring.add(employment.person_id)
    organisations = [org for org in orgs_by_key.values() if org.pk in org_ids and org.is_active]
    return {
        "organisations": len(organisations),
        "people": len(people),
        "young": sum(person.is_young(today) for person in people),
        "category_expiring": len(expiring),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(SCOPE))
def test_dashboard_figures_exclude_the_canary(client, cworld, role):
    client.force_login(cworld.users[role])
    html = client.get(reverse("core:dashboard")).content.decode()
    shown = {name: int(value.replace("\xa0", "").replace(",", "")) for name, value in re.findall(
        r'data-figure="(\w+)">([\d\s,\xa0]+)<', html
    )}  # fmt: skip
    expected = _expected_figures(cworld, role, timezone.localdate())
    assert {name: shown.get(name) for name in expected} == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(SCOPE))
@pytest.mark.parametrize("filter_name", ["is_manager", "category_expiring"])
def test_people_filters_use_only_employments_in_scope(client, cworld, role, filter_name):
    """«Руководитель» / «Категория истекает» must not be decided by an employment outside the scope."""
    people_by_key, _ = _objects(cworld)
    today = timezone.localdate()

    def matches(employment: Employment) -> bool:
        if filter_name == "is_manager":
            return employment.is_manager
        expires = employment.category_expires_on
        return expires is not None and today <= expires <= today + datetime.timedelta(days=365)

    expected = set()
    for key in SCOPE[role]["people"]:
        person = people_by_key[key]
        for employment in person.employments.all():
            visible = _employment_visible(cworld, role, employment)
            if visible and (employment.end_date is None or employment.end_date >= today) and matches(employment):
                expected.add(key)
    client.force_login(cworld.users[role])
    response = client.get(reverse("api:person-list"), {filter_name: "true", "page_size": 500})
    assert response.status_code == 200
    found = {row["id"] for row in response.json()["results"]}
    assert found == {people_by_key[key].pk for key in expected}
    html = client.get(reverse("registry:person_list"), {filter_name: "true"}).content.decode()
    assert ("Мостовая" in html) == ("bridge" in expected)


# The decoders find the marker in every format (so that a clean walk means something) -------------


def _xlsx(text: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["a"])
    workbook.create_sheet("второй")["C7"] = text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _docx(text: str) -> bytes:
    half = len(text) // 2  # Word splits text into runs; the decoder must join them
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text[:half]}</w:t></w:r><w:r><w:t>{text[half:]}'
        "</w:t></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, written by hand (no PDF writer among the dependencies)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=utf-8", f"<p>Кира &#{ord('K')};{canary.MARKER[1:]}</p>".encode()),
        ("application/json", ('{"name": "' + "".join(f"\\u{ord(c):04x}" for c in canary.MARKER) + '"}').encode()),
        ("text/csv; charset=utf-8", f"Фамилия;Имя\nКира;{canary.MARKER}\n".encode("utf-8-sig")),
        (canary.XLSX_TYPE, _xlsx(f"Кира {canary.MARKER}")),
        (canary.DOCX_TYPE, _docx(canary.MARKER)),
        ("application/pdf", _pdf(canary.MARKER)),
        ("application/octet-stream", _xlsx(canary.MARKER)),
    ],
    ids=["html-entity", "json-escaped", "csv", "xlsx-second-sheet", "docx-split-run", "pdf", "sniffed-xlsx"],
)
def test_decoders_find_the_marker(content_type, body):
    text = canary.decode_body(body, content_type)
    assert canary.leaked_needles(text, [canary.MARKER.lower()])
    assert not canary.leaked_needles(canary.decode_body(b"<p>clean</p>", "text/html"), [canary.MARKER.lower()])


def test_unknown_binary_formats_fail_loudly():
    with pytest.raises(canary.UndecodableResponse):
        canary.decode_body(b"\x89PNG\r\n\x1a\n....", "image/png")


def test_problems_flag_server_errors_leaks_and_visible_canary_objects():
    visits = [
        canary.Visit("a", "/a/", 500, error="boom"),
        canary.Visit("b", "/b/", 200, leaked=[canary.MARKER.lower()], context="…"),
        canary.Visit("c", "/c/", 200, hidden=True),
        canary.Visit("d", "/d/", 404, hidden=True),
        canary.Visit("e", "/e/", 200),
    ]
    found = canary.problems(visits, marker_allowed=False)
    assert [line.split()[1] for line in found] == ["/a/", "/b/", "/c/"]
    assert [line.split()[1] for line in canary.problems(visits, marker_allowed=True)] == ["/a/"]
