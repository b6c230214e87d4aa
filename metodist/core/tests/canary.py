"""The canary: out-of-scope data with a marker in every text field, and a walker over every URL name.

The test world of :mod:`metodist.core.tests.fixtures` (region R with municipalities M1 and M2,
organisations A, B, C, people, a user of every role) gets a **canary**: a region of its own with one
municipality, an organisation and a person whose every text field carries :data:`MARKER`, with an
employment, a course, an award, a status, a class, a teaching assignment, change history, a user, an
import and an export of their own. No test user but the administrator covers that region, so for
every other user the marker must never appear in any response, after decoding it (HTML, JSON, CSV,
XLSX, DOCX, PDF, streamed files). A **bridge** person works in school A *and* in the canary
organisation (as its manager, with a category about to expire): the bridge is in scope for A's
coordinator, the bridge's canary employment is not.

``test_canary.py`` walks every URL name of the project (``get_resolver()``, recursively; the Django
admin is excluded, see :data:`EXCLUDED_NAMESPACES`) with GET, as every role of the world, an anonymous
user, a user without roles, a user with two roles and an inactive user.

How to declare a route
----------------------
A URL with no kwargs is walked as it is; a URL with kwargs **must be declared**, or the suite fails.
Each installed ``metodist.<app>`` declares its routes in ``metodist/<app>/tests/canary.py``::

    from metodist.core.tests.canary import variant

    CANARY_ROUTES = {
        # URL name → function (world) -> list of variants; each variant is {"kwargs": {...}, "query": {...}}
        "registry:person_detail": lambda w: [variant(pk=w.person.pk), variant(pk=w.bridge.pk)],
        # routes without kwargs may add query variants (filters, search, formats); the bare URL is walked too
        "registry:person_list": lambda w: [
            variant(query={"q": w.search_term}),
            variant(query={"organisation": w.organisation.pk}),
        ],
    }

    # variant(..., hidden=True): the URL names a canary object, so a non-global user must get 3xx/403/404/405
    # variant(..., allow=(value,)): a needle the viewer typed themselves and may see back (say why)

    # optional: routes the walker must not visit, each with the reason
    CANARY_EXCLUDED = {"myapp:download_everything": "POST only and covered by test_x"}

    # optional: create this app's canary objects (marked with world.mark("what")) once per run
    def build(world):
        world.extra["match_request"] = MatchRequestFactory(person=world.person, note=world.mark("note"))

Point the kwargs at the **canary** objects (``world.person``, ``world.organisation``, ``world.employment``,
``world.course``, ``world.award``, ``world.status``, ``world.school_class``, ``world.assignment``,
``world.user``, ``world.import_batch``, ``world.territory``, ``world.region`` or your own in
``world.extra``), and, where it says something, at the bridge (``world.bridge``,
``world.bridge_employment``). Use ``world.search_term`` (which matches the canary's text but is not the
marker itself) for search boxes, so that a page echoing the query back is not a false alarm.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import html
import importlib
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlencode

from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from metodist.accounts.choices import Role
from metodist.accounts.models import RoleAssignment, User
from metodist.accounts.tests.factories import UserFactory, user_with_role
from metodist.core.models import DataExport
from metodist.core.tests.fixtures import World, build_world
from metodist.registry import models as registry
from metodist.registry.choices import (
    AwardLevel,
    CourseFormat,
    EmploymentKind,
    InnovationSite,
    OrganisationKind,
    PersonStatusKind,
    QualificationCategory,
    TerritoryKind,
)
from metodist.registry.tests.factories import (
    EmploymentFactory,
    PersonFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
    position,
    subject,
)

MARKER = "KANAREYKA7Q"
# Field-level visibility: a mentee's personal data (phone, e-mail, education, courses, awards) carries this
# marker; their mentor sees the mentee's public card (name, school, position) but never the marker.
PERSONAL_MARKER = "LICHNOE5Z"
# Digits-only fields cannot carry the marker; their canary values are unusual enough to be needles too.
CANARY_INN = "7707083893"  # valid checksum, used by no factory (factories build 77xxxxxxxC from a sequence > 0)
CANARY_OGRN = "1027700132195"
CANARY_SNILS = "987-654-321 90"
CANARY_OKTMO = "97979797"

# Users the walker logs in as besides the world's roles.
EXTRA_ROLES = ("anonymous", "two_roles", "inactive")
# Users for whom the canary is legitimately visible: only "no 500" is asserted for them.
GLOBAL_ROLES = frozenset({"admin"})

# Namespaces and names the walker never visits, with the reason (the report lists them).
EXCLUDED_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: staff-only model admin, not a product page; access is is_staff, not the scope",
}
# Kwargs that mark a variant of a route the walker skips: DRF's format-suffix patterns
# (``/api/v1/people.json``) run the same view as the plain route, which the walker already decodes.
SKIPPED_KWARGS: dict[str, str] = {
    "format": "DRF format-suffix variant of a route walked without the suffix",
}


def variant(
    *,
    query: dict | None = None,
    allow: tuple[str, ...] = (),
    hidden: bool = False,
    roles: tuple[str, ...] = (),
    **kwargs,
) -> dict:
    """One way to call a route: URL kwargs, a query string, and needles the page may legitimately show.

    ``hidden=True`` says the URL names a canary object: every non-global user must get a redirect, 403,
    404 or 405, never a page (even one that happens to show nothing marked). ``allow`` is for values the
    viewing user typed themselves (a request's СНИЛС shown back to its requester): say why where you
    declare it. The marker itself can never be allowed. ``roles`` limits the variant to some users (only for
    pages that show no data and cost seconds, such as the OpenAPI schema; say why).
    """
    assert all(MARKER.lower() not in needle.lower() for needle in allow), "the marker cannot be allowed"
    return {"kwargs": kwargs, "query": query or {}, "allow": tuple(allow), "hidden": hidden, "roles": tuple(roles)}


@dataclass
class CanaryWorld:
    """The base world plus the canary objects; ``extra`` holds the objects that other apps add."""

    base: World
    users: dict[str, User | None]
    region: registry.Territory
    territory: registry.Territory
    organisation: registry.Organisation
    person: registry.Person
    employment: registry.Employment
    course: registry.CourseCompletion
    award: registry.Award
    status: registry.PersonStatus
    school_class: registry.SchoolClass
    assignment: registry.TeachingAssignment
    user: User
    bridge: registry.Person
    bridge_employment: registry.Employment
    pd: registry.Person
    mentee: registry.Person | None = None
    import_batch: object = None
    data_export: DataExport | None = None
    extra: dict = field(default_factory=dict)

    marker: str = MARKER
    # Matches the canary's text (icontains) but is not the marker: a page that echoes it is no leak.
    search_term: str = MARKER[1:-1]

    def mark(self, what: str) -> str:
        """A unique marked value for one field, e.g. ``world.mark("note")``."""
        return f"{what} {MARKER}"

    @property
    def needles(self) -> tuple[str, ...]:
        """What must never appear, compared case-insensitively."""
        return (
            MARKER.lower(),
            PERSONAL_MARKER.lower(),
            CANARY_INN,
            CANARY_OGRN,
            CANARY_SNILS,
            CANARY_SNILS.replace("-", "").replace(" ", ""),
        )


def _mark(what: str) -> str:
    return f"{what} {MARKER}"


def build_canary_world() -> CanaryWorld:
    """The base world, the canary region, organisation and person, the bridge, and every app's ``build``."""
    today = timezone.localdate()
    base = build_world()

    region = registry.Territory.objects.create(
        name=_mark("Область"), kind=TerritoryKind.REGION, oktmo=CANARY_OKTMO[:2] + "000000"
    )
    territory = registry.Territory.objects.create(
        name=_mark("Район"), kind=TerritoryKind.MUNICIPALITY, parent=region, oktmo=CANARY_OKTMO
    )
    organisation = registry.Organisation.objects.create(
        territory=territory,
        kind=OrganisationKind.SCHOOL,
        short_name=_mark("Школа"),
        full_name=_mark("Муниципальное бюджетное общеобразовательное учреждение"),
        inn=CANARY_INN,
        ogrn=CANARY_OGRN,
        address=_mark("ул. Канареечная, 7"),
        phone="+7 (900) 000-00-07 " + MARKER,
        email=f"school.{MARKER.lower()}@{MARKER.lower()}.example",
        website=f"https://{MARKER.lower()}.example/",
        low_results=True,
        unfavourable_conditions=True,
        innovation_site=InnovationSite.REGIONAL,
        growth_point=True,
    )
    person = registry.Person.objects.create(
        last_name=_mark("Канарейкина"),
        first_name=_mark("Кира"),
        patronymic=_mark("Карловна"),
        gender="f",
        birth_date=today.replace(year=today.year - 25),  # a young teacher: counted in the figures if it leaks
        snils=CANARY_SNILS,
        email=f"{MARKER.lower()}@{MARKER.lower()}.example",
        phone="+7 (900) 777-77-07 " + MARKER,
        education=_mark("Высшее"),
        experience_start=today - datetime.timedelta(days=400),
    )
    employment = EmploymentFactory(
        person=person,
        organisation=organisation,
        position=position("Учитель"),
        kind=EmploymentKind.MAIN,
        grades=[5, 7],
        is_manager=True,
        category=QualificationCategory.FIRST,
        category_assigned_on=today - datetime.timedelta(days=5 * 365 - 30),  # expires within the year
    )
    employment.subjects.add(subject("Математика"))
    course = registry.CourseCompletion.objects.create(
        person=person,
        provider=_mark("Институт"),
        programme=_mark("Программа"),
        hours=72,
        start_date=today - datetime.timedelta(days=60),
        end_date=today - datetime.timedelta(days=30),
        format=CourseFormat.DISTANCE,
        certificate_number=MARKER + "-001",
    )
    award = registry.Award.objects.create(person=person, title=_mark("Грамота"), level=AwardLevel.REGIONAL, year=2024)
    status = registry.PersonStatus.objects.create(person=person, kind=PersonStatusKind.EXPERT, since=today)
    school_class = SchoolClassFactory(organisation=organisation, academic_year=2025, grade=7, letter="К")
    assignment = TeachingAssignmentFactory(person=person, school_class=school_class, subject=subject("Математика"))
    # Change history with the marker in the changed values.
    person.phone = "+7 (900) 777-77-08 " + MARKER
    person.save()
    course.programme = _mark("Новая программа")
    course.save()

    # The bridge works in school A (in the coordinator's scope) and manages the canary school.
    bridge = PersonFactory(last_name="Мостовая", first_name="Вера")
    EmploymentFactory(
        person=bridge,
        organisation=base.org_a,
        is_manager=False,
        category=QualificationCategory.NONE,
        category_assigned_on=None,
    )
    bridge_employment = EmploymentFactory(
        person=bridge,
        organisation=organisation,
        position=position("Директор"),
        kind=EmploymentKind.PART_TIME,
        is_manager=True,
        category=QualificationCategory.HIGHEST,
        category_assigned_on=today - datetime.timedelta(days=5 * 365 - 30),
    )
    bridge_employment.grades = [11]
    bridge_employment.save()
    # A person in school C for the user with two roles (teacher of themselves + coordinator of school B).
    pd = PersonFactory(last_name="Дмитриева")
    EmploymentFactory(person=pd, organisation=base.org_c)

    canary_user = UserFactory(
        username=MARKER.lower() + "_user",
        first_name=_mark("Карл"),
        last_name=_mark("Канареев"),
        email=f"user.{MARKER.lower()}@{MARKER.lower()}.example",
    )
    RoleAssignment.objects.create(user=canary_user, role=Role.METHODOLOGIST, territory=territory)
    data_export = DataExport.objects.create(
        user=canary_user, what=_mark("Выгрузка"), file_format="csv", row_count=1, query=f"q={MARKER}"
    )

    users: dict[str, User | None] = dict(base.users)
    users["anonymous"] = None
    two_roles = user_with_role(Role.TEACHER, person=pd, username="two_roles")
    RoleAssignment.objects.create(user=two_roles, role=Role.COORDINATOR, organisation=base.org_b)
    users["two_roles"] = two_roles
    inactive = user_with_role(Role.METHODOLOGIST, territory=territory, username="inactive")
    inactive.is_active = False
    inactive.save()
    users["inactive"] = inactive
    # The administrator has confirmed an authenticator app (the walker passes the second factor).
    TOTPDevice.objects.create(user=base.users["admin"], name="canary", confirmed=True)

    world = CanaryWorld(
        base=base,
        users=users,
        region=region,
        territory=territory,
        organisation=organisation,
        person=person,
        employment=employment,
        course=course,
        award=award,
        status=status,
        school_class=school_class,
        assignment=assignment,
        user=canary_user,
        bridge=bridge,
        bridge_employment=bridge_employment,
        pd=pd,
        data_export=data_export,
    )
    world.mentee = _build_mentee(base, today)
    for module in canary_modules():
        builder = getattr(module, "build", None)
        if builder is not None:
            builder(world)
    return world


MENTORSHIP_APP = "metodist.core.tests.scoping_app"  # the contract's test-only app: mentor → mentee relation


def _build_mentee(base: World, today: datetime.date) -> registry.Person | None:
    """A mentee of the world's mentor (pa2) in a school of a third region no test user covers.

    The mentor reaches the mentee's public card through the relation; everything personal carries
    :data:`PERSONAL_MARKER`. Built only where the relation exists (the test settings' scoping app).
    """
    if not apps.is_installed(MENTORSHIP_APP):
        return None
    from metodist.core.tests.scoping_app.models import Mentorship

    region = registry.Territory.objects.create(name="Регион Зет", kind=TerritoryKind.REGION)
    territory = registry.Territory.objects.create(name="Район Зет", kind=TerritoryKind.MUNICIPALITY, parent=region)
    school = registry.Organisation.objects.create(
        territory=territory, kind=OrganisationKind.SCHOOL, short_name="Школа Зет", full_name="Школа Зет полностью"
    )
    personal = PERSONAL_MARKER.lower()
    mentee = registry.Person.objects.create(
        last_name="Подопечная",
        first_name="Ольга",
        gender="f",
        birth_date=today.replace(year=today.year - 24),
        email=f"{personal}@{personal}.example",
        phone=f"+7 (900) 555-55-05 {PERSONAL_MARKER}",
        education=f"Высшее {PERSONAL_MARKER}",
        experience_start=today - datetime.timedelta(days=200),
    )
    EmploymentFactory(
        person=mentee, organisation=school, category=QualificationCategory.NONE, category_assigned_on=None
    )
    registry.CourseCompletion.objects.create(
        person=mentee,
        provider=f"Институт {PERSONAL_MARKER}",
        programme=f"Программа {PERSONAL_MARKER}",
        hours=36,
        start_date=today - datetime.timedelta(days=50),
        end_date=today - datetime.timedelta(days=40),
    )
    registry.Award.objects.create(
        person=mentee, title=f"Грамота {PERSONAL_MARKER}", level=AwardLevel.MUNICIPAL, year=2025
    )
    mentee.phone = f"+7 (900) 555-55-06 {PERSONAL_MARKER}"  # a change in the history
    mentee.save()
    Mentorship.objects.create(mentor=base.pa2, mentee=mentee)
    return mentee


# Declarations ------------------------------------------------------------------------------------


def canary_modules() -> list:
    """``metodist.<app>.tests.canary`` of every installed metodist app that has one."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("metodist."):
            continue
        name = f"{config.name}.tests.canary"
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name not in (name, f"{config.name}.tests"):
                raise
    return modules


def declared_routes() -> tuple[dict[str, Callable], dict[str, str]]:
    """Every app's ``CANARY_ROUTES`` and ``CANARY_EXCLUDED``, merged; a name declared twice is an error."""
    routes: dict[str, Callable] = {}
    excluded: dict[str, str] = {}
    for module in canary_modules():
        for target, source in (
            (routes, getattr(module, "CANARY_ROUTES", {})),
            (excluded, getattr(module, "CANARY_EXCLUDED", {})),
        ):
            for name, value in source.items():
                if name in routes or name in excluded:
                    raise AssertionError(f"{name} is declared twice for the canary (second time in {module.__name__})")
                target[name] = value
    return routes, excluded


# URL names ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]
    pattern: str
    namespace: str = ""


def project_routes(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "", inherited=frozenset()):
    """Every named URL pattern of the project, with its full namespaced name and kwarg names."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        own = frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from project_routes(entry, inner, prefix + str(entry.pattern), inherited | own)
        elif isinstance(entry, URLPattern):
            full = "" if entry.name is None else f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name=full, kwargs=inherited | own, pattern=prefix + str(entry.pattern), namespace=namespace)


@dataclass
class Plan:
    """What the walker visits: URL name → kwarg sets; what it skips and why; what is undeclared."""

    walked: dict[str, list[frozenset[str]]]
    skipped: list[tuple[str, str]]
    undeclared: list[Route]
    stale: list[str]
    declared: dict[str, Callable]


def walk_plan() -> Plan:
    declared, excluded = declared_routes()
    walked: dict[str, list[frozenset[str]]] = {}
    skipped: list[tuple[str, str]] = []
    undeclared: list[Route] = []
    seen: set[str] = set()
    for route in project_routes():
        namespace = route.namespace.split(":", 1)[0]
        if namespace in EXCLUDED_NAMESPACES:
            skipped.append((route.pattern, EXCLUDED_NAMESPACES[namespace]))
            continue
        if not route.name:
            undeclared.append(route)
            continue
        seen.add(route.name)
        if route.name in excluded:
            skipped.append((route.name, excluded[route.name]))
            continue
        reason = next((SKIPPED_KWARGS[k] for k in route.kwargs if k in SKIPPED_KWARGS), None)
        if reason:
            skipped.append((f"{route.name} ({route.pattern})", reason))
            continue
        walked.setdefault(route.name, []).append(route.kwargs)
        if route.kwargs and route.name not in declared:
            undeclared.append(route)
    stale = sorted(set(declared) - seen) + sorted(set(excluded) - seen)
    return Plan(walked=walked, skipped=skipped, undeclared=undeclared, stale=stale, declared=declared)


def urls_to_walk(plan: Plan, world: CanaryWorld) -> list[tuple[str, str, dict]]:
    """(URL name, URL, variant): each name bare (if it takes no kwargs) and with every declared variant."""
    result: list[tuple[str, str, dict]] = []
    for name, kwarg_sets in sorted(plan.walked.items()):
        variants = list(plan.declared[name](world)) if name in plan.declared else []
        bare_declared = any(not item.get("kwargs") and not item.get("query") for item in variants)
        if frozenset() in kwarg_sets and not bare_declared:
            result.append((name, reverse(name), variant()))
        for item in variants:
            url = reverse(name, kwargs=item.get("kwargs") or {})
            query = item.get("query") or {}
            if query:
                url = f"{url}?{urlencode(query, doseq=True)}"
            result.append((name, url, item))
    return result


# Decoding ----------------------------------------------------------------------------------------


class UndecodableResponse(AssertionError):
    """A response the walker cannot read: add a decoder below before shipping a new format."""


TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/problem+json",
    "application/vnd.oai.openapi",
    "image/svg+xml",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TAG = re.compile(r"<[^>]+>")


def response_body(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response when its content has been read (as a WSGI server would).
        return b"".join(
            chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in response.streaming_content
        )
    return response.content


def _xml_text(data: bytes) -> str:
    """Raw XML and its text content with tags removed (a Word run may split a word in two)."""
    raw = data.decode("utf-8", errors="replace")
    return raw + "\n" + html.unescape(_TAG.sub("", raw))


def decode_zip(body: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if data[:4] == b"PK\x03\x04":
                parts.append(decode_zip(data))
            elif name.endswith((".xml", ".rels", ".txt", ".csv", ".json", ".html")):
                parts.append(_xml_text(data))
            else:
                parts.append(decode_body(data, ""))
    return "\n".join(parts)


def decode_xlsx(body: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=False)
    cells = []
    for sheet in workbook.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(value) for value in row if value is not None)
    workbook.close()
    return "\n".join(cells) + "\n" + decode_zip(body)


def decode_docx(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        document = html.unescape(_TAG.sub("", archive.read("word/document.xml").decode("utf-8")))
    return document + "\n" + decode_zip(body)


def decode_pdf(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts.extend(str(value) for value in (reader.metadata or {}).values())
    return "\n".join(parts)


def decode_text(body: bytes, content_type: str) -> str:
    text = body.decode("utf-8-sig", errors="replace")
    parts = [text]
    if "json" in content_type or "openapi" in content_type:
        with contextlib.suppress(ValueError):
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    elif "csv" in content_type:
        parts.extend(";".join(row) for row in csv.reader(io.StringIO(text), delimiter=";"))
    elif "html" in content_type or "xml" in content_type:
        parts.append(html.unescape(text))
    return "\n".join(parts)


def decode_body(body: bytes, content_type: str) -> str:
    """The text a person could read in ``body``, whatever its format."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    if not body:
        return ""
    if body.startswith(b"%PDF-"):
        return decode_pdf(body)
    if body[:4] == b"PK\x03\x04":
        if content_type == XLSX_TYPE or b"xl/workbook.xml" in body:
            return decode_xlsx(body)
        if content_type == DOCX_TYPE or b"word/document.xml" in body:
            return decode_docx(body)
        return decode_zip(body)
    if content_type == "application/pdf":
        return decode_pdf(body)
    if content_type.startswith(TEXT_TYPES) or content_type == "":
        try:
            return decode_text(body, content_type)
        except UnicodeDecodeError:  # pragma: no cover - errors="replace" never raises
            pass
    raise UndecodableResponse(f"no decoder for {content_type!r} ({len(body)} bytes); add one to core/tests/canary.py")


def decode_response(response) -> str:
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    body = response_body(response)
    return headers + "\n" + decode_body(body, response.get("Content-Type", ""))


def leaked_needles(text: str, needles: Iterable[str]) -> list[str]:
    lowered = text.lower()
    return [needle for needle in needles if needle.lower() in lowered]


def leak_context(text: str, needle: str, width: int = 80) -> str:
    at = text.lower().find(needle.lower())
    return " ".join(text[max(0, at - width) : at + len(needle) + width].split())


# Walking -----------------------------------------------------------------------------------------


@dataclass
class Visit:
    name: str
    url: str
    status: int | None
    content_type: str = ""
    leaked: list[str] = field(default_factory=list)
    context: str = ""
    error: str = ""
    seconds: float = 0.0
    hidden: bool = False


def client_for(world: CanaryWorld, role: str) -> Client:
    """A client logged in as ``role``, past the administrators' second factor if the user has a device."""
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
        device = next(iter(devices_for_user(user, confirmed=True)), None) if user.is_active else None
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def visit(client: Client, name: str, url: str, needles: Iterable[str]) -> Visit:
    try:
        # A savepoint per request: a database error in one view must not abort the walk's transaction.
        with transaction.atomic():
            response = client.get(url)
    except Exception as exc:  # the walker reports every server error, not only the first
        return Visit(name, url, 500, error=f"{type(exc).__name__}: {str(exc)[:500]}")
    result = Visit(name, url, response.status_code, response.get("Content-Type", ""))
    try:
        text = decode_response(response)
    except Exception as exc:
        result.error = f"undecodable: {type(exc).__name__}: {exc}"
        return result
    result.leaked = leaked_needles(text, needles)
    if result.leaked:
        result.context = leak_context(text, result.leaked[0])
    return result


def walk(world: CanaryWorld, role: str, urls: list[tuple[str, str, dict]]) -> list[Visit]:
    client = client_for(world, role)
    visits = []
    for name, url, declared in urls:
        if declared.get("roles") and role not in declared["roles"]:
            continue
        allowed = declared.get("allow", ())
        # A needle the request itself carries (?q=<canary ИНН>) is echoed back by search boxes and links;
        # the marker is never in a URL, so the canary's rows are still caught by it.
        needles = [
            needle
            for needle in world.needles
            if needle.lower() not in unquote_plus(url).lower() and needle not in allowed
        ]
        started = time.perf_counter()
        result = visit(client, name, url, needles)
        result.seconds = time.perf_counter() - started
        result.hidden = bool(declared.get("hidden"))
        visits.append(result)
    return visits


def problems(visits: list[Visit], *, marker_allowed: bool) -> list[str]:
    """Server errors, undecodable responses and (unless the marker is allowed) every leak, one per line."""
    found = []
    for item in visits:
        if (item.status is not None and item.status >= 500) or item.error:
            found.append(f"{item.status} {item.url} ({item.name}) {item.error}")
        elif item.leaked and not marker_allowed:
            found.append(f"LEAK {item.url} ({item.name}, {item.status}): {item.leaked} … {item.context} …")
        elif item.hidden and not marker_allowed and item.status is not None and item.status < 300:
            found.append(f"VISIBLE {item.url} ({item.name}): {item.status} for a canary object")
    return found


# Core's own routes (the dashboard needs no declaration) and the project-level ones ----------------

CANARY_ROUTES = {
    "core:audit": lambda w: [
        variant(query={"actor": w.search_term}),
        variant(query={"action": "1"}),
        variant(query={"page": "2"}),
    ],
    "login": lambda w: [variant(query={"next": w.person.get_absolute_url()})],
    # The OpenAPI schema describes endpoints, never data, and takes seconds to generate: walk it as a user
    # without roles, a scoped user, the administrator and an anonymous visitor only.
    "api:schema": lambda w: [variant(roles=("anonymous", "nobody", "coordinator", "admin"))],
}
