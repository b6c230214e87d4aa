"""Who may use the import pages, whose uploads they see, and the downloadable templates."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from metodist.imports import errors
from metodist.imports.models import ImportBatch, ImportKind, ImportStatus
from metodist.imports.workbooks import ORGANISATION_TEMPLATE_COLUMNS, STAFF_TEMPLATE_COLUMNS
from metodist.registry.models import Organisation, Person

from .utils import STAFF_HEADER, apply, counts, inn, last_batch, snils, staff_rows, text, upload, xlsx

IMPORT_ROLES = ["admin", "methodologist", "coordinator"]
NO_IMPORT_ROLES = ["observer", "region_observer", "teacher", "mentor", "expert", "association_head", "nobody"]


@pytest.mark.parametrize("username", NO_IMPORT_ROLES)
def test_users_who_may_not_import_get_403(client, world, username):
    client.force_login(world.users[username])
    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.get(reverse("imports:list")).status_code == 403
    assert client.get(reverse("imports:template", args=["staff"])).status_code == 403
    before = counts()
    response = upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    assert response.status_code == 403
    assert counts() == before
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("username", IMPORT_ROLES)
def test_users_who_may_import_see_the_pages(client, world, username):
    client.force_login(world.users[username])
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 200
    assert "Загрузка списков из Excel и CSV" in text(response)
    assert client.get(reverse("imports:list")).status_code == 200


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_organisations_offered_on_the_form(client, world):
    client.force_login(world.users["coordinator"])
    form = client.get(reverse("imports:upload")).context["form"]
    assert list(form.fields["organisation"].queryset) == [world.org_a]
    assert form.initial["organisation"] == world.org_a.pk  # the only one is chosen already
    assert [value for value, _label in form.fields["kind"].choices] == [ImportKind.STAFF]
    client.force_login(world.users["methodologist"])
    form = client.get(reverse("imports:upload")).context["form"]
    assert set(form.fields["organisation"].queryset) == {world.org_a, world.org_b}
    assert {value for value, _label in form.fields["kind"].choices} == set(ImportKind.values)


def test_coordinator_cannot_load_into_another_organisation(client, world):
    client.force_login(world.users["coordinator"])
    assert client.get(reverse("imports:upload"), {"organisation": world.org_b.pk}).status_code == 404
    before = counts()
    response = upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_b)
    assert response.status_code == 404
    assert counts() == before
    assert not ImportBatch.objects.exists()


def test_methodologist_cannot_load_into_another_municipality(client, world):
    client.force_login(world.users["methodologist"])
    response = upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_c)
    assert response.status_code == 404
    response = upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_b)
    assert response.status_code == 200
    assert last_batch().organisation == world.org_b


def test_upload_page_preselects_the_requested_organisation(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("imports:upload"), {"organisation": world.org_b.pk, "kind": "staff"})
    assert response.context["form"].initial["organisation"] == world.org_b.pk
    assert client.get(reverse("imports:upload"), {"organisation": "x"}).status_code == 404


def test_staff_list_needs_an_organisation(client, world):
    client.force_login(world.users["methodologist"])
    response = upload(client, xlsx([STAFF_HEADER, *staff_rows()]))
    assert str(errors.ORGANISATION_REQUIRED) in text(response)
    assert not ImportBatch.objects.exists()


def test_batches_are_seen_only_by_their_author_and_the_admin(client, world):
    client.force_login(world.users["coordinator"])
    upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    batch = last_batch()
    assert client.get(reverse("imports:preview", args=[batch.pk])).status_code == 200
    assert batch.original_filename in text(client.get(reverse("imports:list")))

    client.force_login(world.users["methodologist"])
    assert client.get(reverse("imports:preview", args=[batch.pk])).status_code == 404
    assert apply(client, batch).status_code == 404
    assert batch.original_filename not in text(client.get(reverse("imports:list")))
    assert list(ImportBatch.objects.visible_to(world.users["methodologist"])) == []

    client.force_login(world.users["admin"])
    assert client.get(reverse("imports:preview", args=[batch.pk])).status_code == 200
    assert batch.original_filename in text(client.get(reverse("imports:list")))
    assert list(ImportBatch.objects.visible_to(world.users["admin"])) == [batch]
    assert list(ImportBatch.objects.visible_to(world.users["teacher"])) == []


def test_coordinator_who_lost_the_organisation_cannot_apply(client, world):
    from metodist.core.scoping import forget_scopes

    coordinator = world.users["coordinator"]
    client.force_login(coordinator)
    upload(client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    batch = last_batch()
    coordinator.role_assignments.update(organisation=world.org_b)
    forget_scopes(coordinator)
    before = counts()
    assert apply(client, batch).status_code == 404
    assert counts() == before


# --- Templates ----------------------------------------------------------------------------------------


def _workbook(response) -> openpyxl.Workbook:
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content))


def test_staff_template(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("imports:template", args=["staff"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    book = _workbook(response)
    assert book.sheetnames == ["Список", "Инструкция"]
    headers = [c.value for c in book["Список"][1]]
    assert headers == [c.title for c in STAFF_TEMPLATE_COLUMNS]
    assert [c.value for c in book["Список"][2]][:2] == ["Образцова", "Мария"]
    instruction = "\n".join(str(c.value) for row in book["Инструкция"].iter_rows() for c in row if c.value)
    assert "Учитель-логопед" in instruction  # positions are listed
    assert "Математика" in instruction  # subjects are listed
    assert "педагог-наставник" in instruction


def test_staff_template_round_trips_through_the_importer(client, world):
    # The administrator creates people directly; a coordinator's new people wait for a methodologist (issue 5 §1.2).
    client.force_login(world.users["admin"])
    book = _workbook(client.get(reverse("imports:template", args=["staff"])))
    sheet = book["Список"]
    example = [c.value for c in sheet[2]]
    new_row = list(example)
    new_row[0:3] = ["Лебедева", "Дарья", "Андреевна"]
    new_row[4] = snils(456789123)
    new_row[15] = "lebedeva@example.org"
    sheet.append(new_row)
    buffer = io.BytesIO()
    book.save(buffer)

    before = counts()
    response = upload(client, buffer.getvalue(), "шаблон.xlsx", organisation=world.org_a)
    batch = last_batch()
    assert batch.status == ImportStatus.VALIDATED, batch.report
    assert (batch.rows_total, batch.rows_valid, batch.rows_new) == (1, 1, 1), batch.report
    assert str(errors.EXAMPLE_ROW_SKIPPED % {"line": 2}) in text(response)
    assert len(batch.report["recognised"]) == len(STAFF_TEMPLATE_COLUMNS)  # every column of the template
    apply(client, batch)
    person = Person.objects.get(last_name="Лебедева")
    assert person.snils == snils(456789123)
    assert counts()["people"] == before["people"] + 1
    assert not Person.objects.filter(last_name="Образцова").exists()


def test_organisations_template_round_trips_through_the_importer(client, world):
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("imports:template", args=["organisations"]))
    book = _workbook(response)
    sheet = book["Список"]
    assert [c.value for c in sheet[1]] == [c.title for c in ORGANISATION_TEMPLATE_COLUMNS]
    example = [c.value for c in sheet[2]]
    assert example[5] == "Первый район"  # the methodologist's municipality
    new_row = list(example)
    new_row[0] = "МБОУ «Новая школа»"
    new_row[1] = "Муниципальное бюджетное общеобразовательное учреждение «Новая школа»"
    new_row[3] = inn(77)
    new_row[4] = None
    sheet.append(new_row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload(client, buffer.getvalue(), "шаблон.xlsx", kind="organisations")
    batch = last_batch()
    assert (batch.rows_total, batch.rows_valid) == (1, 1), batch.report
    apply(client, batch)
    assert Organisation.objects.get(inn=inn(77)).territory == world.m1


def test_unknown_template_kind(client, world):
    client.force_login(world.users["admin"])
    assert client.get(reverse("imports:template", args=["pets"])).status_code == 404


def test_history_lists_own_batches(client, world):
    client.force_login(world.users["methodologist"])
    upload(
        client, xlsx([["Краткое наименование", "ИНН"], ["МБОУ СОШ № 5", inn(1)]]), "первый.xlsx", kind="organisations"
    )
    upload(client, b"", "второй.xlsx", kind="organisations")
    page = text(client.get(reverse("imports:list")))
    assert "первый.xlsx" in page
    assert "второй.xlsx" not in page  # an empty upload is refused by the form and not kept
