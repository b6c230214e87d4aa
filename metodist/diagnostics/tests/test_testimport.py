"""Reading a test results file: whole-file problems, CSV in Windows-1251, names without СНИЛС, duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metodist.diagnostics import testimport
from metodist.imports import errors as import_errors

from .factories import campaign_for, framework_with_nodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    framework, nodes = framework_with_nodes()
    return campaign_for(
        [(world.pa, world.org_a), (world.pa2, world.org_a), (world.pb, world.org_b)],
        framework=framework,
        nodes=nodes,
        territory=world.m1,
        uses_test=True,
    )


def _check(world, campaign, content: bytes, name: str = "t.csv", role: str = "methodologist"):
    return testimport.check_test_file(user=world.users[role], campaign=campaign, content=content, filename=name)


def test_whole_file_problems(world, campaign):
    assert _check(world, campaign, b"").file_errors == [str(import_errors.EMPTY_FILE)]
    missing = _check(world, campaign, "ФИО;Организация\nИванова;Школа А\n".encode())
    assert missing.file_errors == [
        str(testimport.MISSING_COLUMNS) % {"columns": "«Код показателя», «Уровень»"},
    ]
    no_person = _check(world, campaign, "Код показателя;Уровень\nTEST-FW.1;2\n".encode())
    assert no_person.file_errors == [str(testimport.NO_PERSON_COLUMNS)]
    assert not no_person.ok


def test_csv_in_windows_1251_by_name_and_school(world, campaign):
    text = (
        "Фамилия;Имя;Отчество;ОО;Показатель;Балл\n"
        f"{world.pa.last_name};{world.pa.first_name};{world.pa.patronymic};Школа А;TEST-FW.2;3,5\n"
        f"{world.pa.last_name};{world.pa.first_name};{world.pa.patronymic};Школа А;TEST-FW.2;1\n"
        f"{world.pb.last_name};{world.pb.first_name};{world.pb.patronymic};;TEST-FW.1;1\n"
        f"{world.pb.last_name};{world.pb.first_name};{world.pb.patronymic};Школа Б;TEST-FW.1;много\n"
    )
    check = _check(world, campaign, text.encode("cp1251"))
    assert check.file_errors == []
    assert [(e.line, e.column, e.reason) for e in check.errors] == [
        (3, "Код показателя", str(testimport.DUPLICATE_ROW) % {"line": 2}),
        (4, "Организация", str(testimport.ORGANISATION_EMPTY)),
        (5, "Уровень", str(testimport.LEVEL_NOT_NUMBER) % {"value": "много"}),
    ]
    assert check.rows == [] and not check.ok
    good = _check(world, campaign, "\n".join(text.splitlines()[:2]).encode("cp1251"))
    assert good.ok and [(r.participant.person_id, r.level) for r in good.rows] == [(world.pa.pk, Decimal("3.5"))]


def test_a_coordinator_finds_only_their_school(world, campaign):
    text = f"ФИО;Организация;Код показателя;Уровень\n{world.pb.full_name};Школа Б;TEST-FW.1;2\n"
    check = _check(world, campaign, text.encode(), role="coordinator")
    assert [(e.line, e.reason) for e in check.errors] == [(2, str(testimport.PERSON_UNKNOWN))]
