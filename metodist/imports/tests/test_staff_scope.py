"""A staff import never changes nor reveals people outside the uploader's scope (issue 5, §1.2 and §3).

Before the fix a coordinator's file matched people across the whole registry by СНИЛС plus surname OR first
name, renamed them, rewrote their e-mail and pulled them into the coordinator's school. Now rows whose person
is not in the uploader's scope — whether or not such a person exists anywhere — wait «на подтверждении у
методиста», with the same answer in both cases.
"""

from __future__ import annotations

import datetime

import pytest

from metodist.accounts.choices import Role
from metodist.accounts.tests.factories import user_with_role
from metodist.imports import errors
from metodist.imports.models import ImportStatus
from metodist.imports.services import import_batch_apply, import_batch_create
from metodist.imports.services.staff import STATUS_PENDING
from metodist.registry import services as registry_services
from metodist.registry.models import Employment, Person, PersonMatchRequest

from .utils import snils, xlsx

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "СНИЛС", "Должность", "Email"]


def _row(last, first, patronymic="", birth=None, snils_value="", email=""):
    return [last, first, patronymic, birth, snils_value, "Учитель", email]


def _check(user, organisation, rows):
    return import_batch_create(
        user=user, kind="staff", content=xlsx([HEADER, *rows]), filename="list.xlsx", organisation=organisation
    )


def _load(user, organisation, rows):
    batch = _check(user, organisation, rows)
    assert batch.status == ImportStatus.VALIDATED, batch.report
    return batch, import_batch_apply(batch=batch, user=user)


def _person_state(person: Person) -> dict:
    return {
        **Person.objects.values().get(pk=person.pk),
        "orgs": sorted(Employment.objects.filter(person=person).values_list("organisation_id", flat=True)),
    }


def test_the_takeover_by_snils_and_first_name_no_longer_works(world):
    """The attack: СНИЛС of a person of another municipality, their first name, another surname and e-mail."""
    victim = world.pc
    victim.snils = snils(345678912)
    victim.save()
    before = _person_state(victim)
    coordinator = world.users["coordinator"]
    batch, report = _load(
        coordinator,
        world.org_a,
        [_row("Захватова", victim.first_name, snils_value=victim.snils, email="attacker@example.org")],
    )
    assert _person_state(victim) == before  # not renamed, e-mail kept, not pulled into school A
    assert [r.status for r in report.rows] == [STATUS_PENDING]
    # Nothing of the existing person reaches the uploader: the preview shows what the file said.
    assert victim.last_name not in str(batch.report)
    assert victim.email not in str(batch.report)
    request = PersonMatchRequest.objects.get()
    assert (request.last_name, request.organisation, request.requested_by) == ("Захватова", world.org_a, coordinator)
    assert request.matched_person == victim  # for the reviewer only


def test_the_same_answer_whether_or_not_the_person_exists_elsewhere(world):
    world.pc.snils = snils(345678912)
    world.pc.save()
    coordinator = world.users["coordinator"]
    existing = _check(coordinator, world.org_a, [_row("Петрова", "Анна", snils_value=snils(345678912))])
    unknown = _check(coordinator, world.org_a, [_row("Петрова", "Анна", snils_value=snils(456789123))])

    def shape(batch):
        report = {k: v for k, v in batch.report.items() if k != "preview"}
        cells = [
            [c.replace(snils(456789123), "*").replace(snils(345678912), "*") for c in r["cells"]]
            for r in batch.report["preview"]
        ]
        statuses = [r["status"] for r in batch.report["preview"]]
        counts = (batch.rows_new, batch.rows_updated, batch.rows_unchanged, batch.rows_invalid, batch.status)
        return report, cells, statuses, counts

    assert shape(existing) == shape(unknown)
    before = Person.objects.count()
    import_batch_apply(batch=existing, user=coordinator)
    import_batch_apply(batch=unknown, user=coordinator)
    assert Person.objects.count() == before
    assert PersonMatchRequest.objects.filter(state="pending").count() == 2


def test_a_person_of_another_school_found_by_name_and_birth_date_is_not_touched(world):
    pb = world.pb  # school B: the same municipality, outside the coordinator's school
    before = _person_state(pb)
    _batch, report = _load(
        world.users["coordinator"],
        world.org_a,
        [_row(pb.last_name, pb.first_name, pb.patronymic, pb.birth_date, email="new@example.org")],
    )
    assert _person_state(pb) == before
    assert [r.status for r in report.rows] == [STATUS_PENDING]
    assert PersonMatchRequest.objects.get().matched_person == pb


def test_in_scope_snils_with_another_surname_is_an_error_not_a_rename(world):
    pa = world.pa
    pa.snils = snils(345678912)
    pa.save()
    batch = _check(world.users["coordinator"], world.org_a, [_row("Новикова", pa.first_name, snils_value=pa.snils)])
    message = str(errors.SNILS_OTHER_PERSON % {"value": pa.snils})
    assert batch.report["errors"][0]["messages"] == [message]


def test_the_methodologist_matches_people_of_their_municipality_directly(world):
    pb = world.pb
    methodologist = world.users["methodologist"]
    _batch, report = _load(
        methodologist, world.org_a, [_row(pb.last_name, pb.first_name, pb.patronymic, pb.birth_date)]
    )
    assert [r.status for r in report.rows] == ["new"]  # a new employment of a known person
    assert Employment.objects.filter(person=pb, organisation=world.org_a).exists()
    assert not PersonMatchRequest.objects.exists()


def test_a_pending_person_is_confirmed_only_by_a_user_covering_both_sides(client, world):
    pc = world.pc  # municipality M2
    _load(world.users["coordinator"], world.org_a, [_row(pc.last_name, pc.first_name, "", pc.birth_date)])
    request = PersonMatchRequest.objects.get()
    # The methodologist of M1 covers school A but not pc's school C: the request is not theirs to decide.
    assert not PersonMatchRequest.objects.reviewable_by(world.users["methodologist"]).exists()
    region_methodologist = user_with_role(Role.METHODOLOGIST, territory=world.region, username="region_methodologist")
    assert list(PersonMatchRequest.objects.reviewable_by(region_methodologist)) == [request]
    person = registry_services.person_match_request_confirm(actor=region_methodologist, request=request)
    assert person == pc
    assert Employment.objects.filter(person=pc, organisation=world.org_a).exists()
    pc.refresh_from_db()
    assert pc.patronymic  # kept: a confirmation fills only empty fields
    request.refresh_from_db()
    assert (request.state, request.resolved_by, request.person) == ("confirmed", region_methodologist, pc)


def test_loading_the_same_file_again_updates_the_request(world):
    coordinator = world.users["coordinator"]
    rows = [_row("Петрова", "Анна", "", datetime.date(1990, 4, 12))]
    _load(coordinator, world.org_a, rows)
    rows[0][6] = "petrova@example.org"
    _load(coordinator, world.org_a, rows)
    request = PersonMatchRequest.objects.get()
    assert request.person_values["email"] == "petrova@example.org"


def test_the_administrator_creates_new_people_at_once(world):
    _batch, report = _load(world.users["admin"], world.org_a, [_row("Петрова", "Анна", "", datetime.date(1990, 4, 12))])
    assert [r.status for r in report.rows] == ["new"]
    assert Person.objects.filter(last_name="Петрова").get().employments.get().organisation == world.org_a
    assert not PersonMatchRequest.objects.exists()


@pytest.mark.parametrize(
    ("birth", "experience", "message"),
    [
        (datetime.date(1990, 4, 12), datetime.date(2005, 9, 1), "раньше, чем работнику исполнилось 16 лет"),
        (datetime.date(1960, 4, 12), datetime.date(1925, 9, 1), "раньше 1930 года"),
    ],
)
def test_the_import_uses_the_registry_rules_for_dates(world, birth, experience, message):
    header = [*HEADER, "Пед. стаж с"]
    row = [*_row("Петрова", "Анна", "", birth), experience]
    batch = import_batch_create(
        user=world.users["admin"],
        kind="staff",
        content=xlsx([header, row]),
        filename="list.xlsx",
        organisation=world.org_a,
    )
    assert message in str(batch.report["errors"]), batch.report
