"""Loading an organisation list: matching by ИНН, the municipality, the flags, and bad input."""

from __future__ import annotations

import pytest

from metodist.imports import errors
from metodist.imports.models import ImportStatus
from metodist.imports.vocabulary import organisation_kind_from_text
from metodist.registry.choices import InnovationSite, OrganisationKind
from metodist.registry.models import Organisation

from .utils import apply, counts, csv_bytes, inn, last_batch, ogrn, text, upload, xlsx

HEADER = [
    "Краткое наименование",
    "Полное наименование",
    "Тип",
    "ИНН",
    "ОГРН",
    "Адрес",
    "ШНОР",
    "Неблагоприятные условия",
    "Инновационная площадка",
    "Точка роста",
    "Стажировочная площадка",
]


def rows() -> list[list]:
    return [
        [
            "МБОУ СОШ № 5",
            "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 5»",
            "СОШ",
            inn(1),
            ogrn(1),
            "ул. Мира, 5",
            "да",
            "нет",
            "РИП",
            "+",
            0,
        ],
        ["МБДОУ «Детский сад № 7»", "", "ДОУ", inn(2), "", "ул. Садовая, 7", "", "", "", "", ""],
        ["МБУ ДО «ДДТ»", "Дом детского творчества", "", inn(3), "", "", "", "", "нет", "", "да"],
    ]


@pytest.fixture
def methodologist_client(client, world):
    client.force_login(world.users["methodologist"])
    return client


def test_kind_from_text():
    assert organisation_kind_from_text("СОШ") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("гимназия") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("Лицей") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("ООШ") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("школа") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("детский сад") == OrganisationKind.KINDERGARTEN
    assert organisation_kind_from_text("МБДОУ д/с № 3") == OrganisationKind.KINDERGARTEN
    assert organisation_kind_from_text("ДОУ") == OrganisationKind.KINDERGARTEN
    assert organisation_kind_from_text("ДО") == OrganisationKind.ADDITIONAL
    assert organisation_kind_from_text("МБОУ ДО «ЦДО»") == OrganisationKind.ADDITIONAL
    assert organisation_kind_from_text("ДДТ") == OrganisationKind.ADDITIONAL
    assert organisation_kind_from_text("ДЮСШ № 1") == OrganisationKind.ADDITIONAL
    assert organisation_kind_from_text("колледж") == OrganisationKind.COLLEGE
    assert organisation_kind_from_text("Техникум") == OrganisationKind.COLLEGE
    assert organisation_kind_from_text("методический центр") == OrganisationKind.METHODOLOGICAL_CENTRE
    assert organisation_kind_from_text("school") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("Общеобразовательная организация") == OrganisationKind.SCHOOL
    assert organisation_kind_from_text("завод") is None


def test_happy_path_xlsx_without_municipality_column(methodologist_client, world):
    before = counts()
    response = upload(methodologist_client, xlsx([HEADER, *rows()]), kind="organisations")
    batch = last_batch()
    assert batch.status == ImportStatus.VALIDATED, batch.report
    assert (batch.rows_valid, batch.rows_new, batch.rows_invalid) == (3, 3, 0), batch.report
    assert "МБОУ СОШ № 5" in text(response)
    assert counts() == before
    response = apply(methodologist_client, batch)
    assert str(errors.APPLIED % {"new": 3, "updated": 0, "unchanged": 0}) in text(response)

    school = Organisation.objects.get(inn=inn(1))
    assert school.territory == world.m1
    assert school.kind == OrganisationKind.SCHOOL
    assert school.ogrn == ogrn(1)
    assert school.full_name.startswith("Муниципальное бюджетное")
    assert (school.low_results, school.unfavourable_conditions, school.growth_point, school.internship_site) == (
        True,
        False,
        True,
        False,
    )
    assert school.innovation_site == InnovationSite.REGIONAL
    kindergarten = Organisation.objects.get(inn=inn(2))
    assert kindergarten.kind == OrganisationKind.KINDERGARTEN
    assert kindergarten.full_name == "МБДОУ «Детский сад № 7»"  # the short name when no full name is given
    centre = Organisation.objects.get(inn=inn(3))
    assert centre.kind == OrganisationKind.ADDITIONAL  # «ДО» found in the name when «Тип» is empty
    assert centre.internship_site
    assert counts()["organisations"] == before["organisations"] + 3


def test_happy_path_csv_cp1251_as_admin(client, world):
    client.force_login(world.users["admin"])
    content = csv_bytes(
        [
            ["Наименование", "Вид", "ИНН", "Муниципалитет", "Точка роста"],
            ["МБОУ «Гимназия № 2»", "гимназия", inn(4), "Второй район", "1"],
            ["МКОУ ООШ с. Ивановка", "ООШ", "", "первый район", "0"],
        ],
        delimiter=";",
        encoding="cp1251",
    )
    upload(client, content, "оо.csv", kind="organisations")
    batch = last_batch()
    assert (batch.rows_valid, batch.rows_invalid) == (2, 0), batch.report
    apply(client, batch)
    gymnasium = Organisation.objects.get(inn=inn(4))
    assert gymnasium.territory == world.m2
    assert gymnasium.growth_point
    assert Organisation.objects.get(short_name="МКОУ ООШ с. Ивановка").territory == world.m1


def test_admin_needs_the_municipality_column(client, world):
    client.force_login(world.users["admin"])
    before = counts()
    response = upload(client, xlsx([HEADER, *rows()]), kind="organisations")
    found = ", ".join(f"«{h}»" for h in HEADER)
    assert str(errors.MISSING_COLUMNS % {"missing": "«Муниципалитет»", "found": found}) in text(response)
    assert counts() == before


def test_reimport_is_idempotent(methodologist_client, world):
    content = xlsx([HEADER, *rows()])
    upload(methodologist_client, content, kind="organisations")
    apply(methodologist_client, last_batch())
    after_first = counts()
    upload(methodologist_client, content, kind="organisations")
    batch = last_batch()
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 0, 3), batch.report
    apply(methodologist_client, batch)
    assert counts() == after_first


def test_existing_organisation_updated_by_inn_and_by_name(methodologist_client, world):
    world.org_b.inn = ""
    world.org_b.save()
    content = xlsx(
        [
            ["Краткое наименование", "ИНН", "Адрес", "ШНОР"],
            ["Школа А (новое название)", world.org_a.inn, "пр. Победы, 1", "да"],
            ["школа  б", inn(9), "", ""],
        ]
    )
    before = counts()
    upload(methodologist_client, content, kind="organisations")
    batch = last_batch()
    assert (batch.rows_updated, batch.rows_new, batch.rows_invalid) == (2, 0, 0), batch.report
    apply(methodologist_client, batch)
    world.org_a.refresh_from_db()
    world.org_b.refresh_from_db()
    assert world.org_a.short_name == "Школа А (новое название)"
    assert world.org_a.address == "пр. Победы, 1"
    assert world.org_a.low_results
    assert world.org_b.inn == inn(9)
    assert world.org_b.short_name == "школа б"  # spaces are tidied
    assert counts()["organisations"] == before["organisations"]


def _assert_refused(client, content, message, filename="orgs.xlsx"):
    before = counts()
    response = upload(client, content, filename, kind="organisations")
    assert str(message) in text(response), text(response)[-3000:]
    assert counts() == before
    return response


def test_bad_inn(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ИНН"], ["МБОУ СОШ № 5", "7701234567"]])
    _assert_refused(methodologist_client, content, errors.BAD_INN % {"value": "7701234567"})


def test_bad_ogrn(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ОГРН"], ["МБОУ СОШ № 5", "1027700000000"]])
    _assert_refused(methodologist_client, content, errors.BAD_OGRN % {"value": "1027700000000"})


def test_duplicate_inn_reports_both_lines(methodologist_client, world):
    content = xlsx(
        [
            ["Краткое наименование", "ИНН"],
            ["МБОУ СОШ № 5", inn(1)],
            ["МБОУ СОШ № 6", inn(2)],
            ["МБОУ СОШ № 7", inn(1)],
        ]
    )
    _assert_refused(methodologist_client, content, errors.DUPLICATE_INN % {"value": inn(1), "lines": "2 и 4"})


def test_duplicate_name(methodologist_client, world):
    content = xlsx([["Краткое наименование"], ["МБОУ СОШ № 5"], ["мбоу сош №5"]])
    _assert_refused(
        methodologist_client, content, errors.DUPLICATE_ORGANISATION % {"value": "МБОУ СОШ № 5", "lines": "2 и 3"}
    )


def test_unknown_municipality(methodologist_client, world):
    content = xlsx([["Краткое наименование", "Муниципалитет"], ["МБОУ СОШ № 5", "Второй район"]])
    # «Второй район» exists but is outside the methodologist's scope: it is not offered.
    message = errors.UNKNOWN_MUNICIPALITY_SUGGEST % {"value": "Второй район", "suggestion": "Первый район"}
    _assert_refused(methodologist_client, content, message)


def test_unknown_municipality_without_suggestion(methodologist_client, world):
    content = xlsx([["Краткое наименование", "Муниципалитет"], ["МБОУ СОШ № 5", "Тмутаракань"]])
    message = errors.UNKNOWN_MUNICIPALITY % {"value": "Тмутаракань", "allowed": "«Первый район»"}
    _assert_refused(methodologist_client, content, message)


def test_organisation_of_another_municipality_is_not_touched(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ИНН"], ["Школа В", world.org_c.inn]])
    _assert_refused(methodologist_client, content, errors.ORGANISATION_OUT_OF_SCOPE % {"value": world.org_c.inn})


def test_name_match_with_another_inn(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ИНН"], ["Школа А", inn(5)]])
    _assert_refused(methodologist_client, content, errors.ORGANISATION_OTHER_INN % {"value": "Школа А"})


def test_ogrn_of_another_organisation(methodologist_client, world):
    """Issue 6 §2: the clash names the organisation it clashes with, when the user may see it."""
    content = xlsx([["Краткое наименование", "ИНН", "ОГРН"], ["МБОУ СОШ № 5", inn(5), world.org_b.ogrn]])
    message = errors.OGRN_TAKEN_BY % {"value": world.org_b.ogrn, "organisation": "Школа Б"}
    _assert_refused(methodologist_client, content, message)


def test_ogrn_of_an_organisation_out_of_scope_is_not_named(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ИНН", "ОГРН"], ["МБОУ СОШ № 5", inn(5), world.org_c.ogrn]])
    response = _assert_refused(methodologist_client, content, errors.OGRN_TAKEN % {"value": world.org_c.ogrn})
    assert "Школа В" not in text(response)


def test_organisation_without_inn_is_matched_by_ogrn(methodologist_client, world):
    """Issue 6 §2: a row without ИНН is the organisation with its ОГРН — updated, not created again."""
    Organisation.objects.filter(pk=world.org_b.pk).update(inn="")
    content = xlsx([["Краткое наименование", "ОГРН", "Адрес"], ["Школа Б", world.org_b.ogrn, "ул. Новая, 1"]])
    upload(methodologist_client, content, kind="organisations")
    batch = last_batch()
    assert (batch.rows_valid, batch.rows_updated, batch.rows_new) == (1, 1, 0), batch.report
    apply(methodologist_client, batch)
    world.org_b.refresh_from_db()
    assert world.org_b.address == "ул. Новая, 1"


def test_organisation_out_of_scope_matched_by_ogrn_is_not_touched(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ОГРН"], ["Школа В", world.org_c.ogrn]])
    message = errors.ORGANISATION_OUT_OF_SCOPE_OGRN % {"value": world.org_c.ogrn}
    _assert_refused(methodologist_client, content, message)


def test_unknown_kind_and_undetermined_kind(methodologist_client, world):
    content = xlsx([["Краткое наименование", "Тип"], ["МБОУ СОШ № 5", "завод"], ["Учреждение № 1", ""]])
    response = _assert_refused(methodologist_client, content, errors.UNKNOWN_ORG_KIND % {"value": "завод"})
    assert str(errors.ORG_KIND_UNDETERMINED) in text(response)


def test_bad_flag(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ШНОР"], ["МБОУ СОШ № 5", "может быть"]])
    _assert_refused(methodologist_client, content, errors.BAD_FLAG % {"column": "ШНОР", "value": "может быть"})


def test_only_valid_rows(methodologist_client, world):
    content = xlsx([["Краткое наименование", "ИНН"], ["МБОУ СОШ № 5", inn(1)], ["МБОУ СОШ № 6", "123"]])
    upload(methodologist_client, content, kind="organisations")
    batch = last_batch()
    assert (batch.rows_valid, batch.rows_invalid) == (1, 1)
    before = counts()
    assert str(errors.ROWS_HAVE_ERRORS) in text(apply(methodologist_client, batch))
    assert counts() == before
    apply(methodologist_client, batch, only_valid=True)
    assert Organisation.objects.filter(inn=inn(1)).exists()
    assert not Organisation.objects.filter(short_name="МБОУ СОШ № 6").exists()


def test_coordinator_cannot_load_organisations(client, world):
    client.force_login(world.users["coordinator"])
    before = counts()
    response = upload(client, xlsx([HEADER, *rows()]), kind="organisations")
    assert response.status_code == 200
    assert str(errors.ORGANISATIONS_IMPORT_FORBIDDEN) in text(response)
    assert last_batch() is None
    assert counts() == before


def test_register_changed_between_check_and_confirmation(methodologist_client, world):
    from metodist.registry.tests.factories import OrganisationFactory

    content = xlsx([["Краткое наименование", "ИНН", "ОГРН"], ["МБОУ СОШ № 5", inn(1), ogrn(1)]])
    upload(methodologist_client, content, kind="organisations")
    batch = last_batch()
    assert (batch.rows_valid, batch.rows_invalid) == (1, 0)
    OrganisationFactory(territory=world.m1, ogrn=ogrn(1), inn=inn(9), short_name="Школа Г")
    before = counts()
    response = apply(methodologist_client, batch)
    assert str(errors.DATA_CHANGED) in text(response)
    assert str(errors.OGRN_TAKEN_BY % {"value": ogrn(1), "organisation": "Школа Г"}) in text(response)
    assert counts() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    assert batch.rows_invalid == 1
