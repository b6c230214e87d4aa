"""Control characters are removed on the way in: forms, the API and imports share one cleaning function."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from rest_framework.test import APIClient

import metodist
from metodist.core.text import CleanTextFormMixin, clean_text
from metodist.imports.parsing import cell_text

DIRTY = "Ан\x01ич\x00ко\x1bва\x7f\u202e"


@pytest.mark.parametrize(
    ("raw", "multiline", "clean"),
    [
        (DIRTY, False, "Аничкова"),
        ("Иванова\tМария\r\nПетровна\x0bАнна", False, "Иванова Мария Петровна Анна"),
        ("строка 1\r\nстрока 2\tс табуляцией", True, "строка 1\r\nстрока 2\tс табуляцией"),
        ("\ud800Лишний суррогат\ufffe", False, "Лишний суррогат"),
        ("Ёлкина-Щукина Анна", False, "Ёлкина-Щукина Анна"),
        ("\x9fC1\x85C2\u2028", True, "C1\nC2\n"),
    ],
)
def test_clean_text(raw, multiline, clean):
    assert clean_text(raw, multiline=multiline) == clean


def test_a_form_field_cleans_before_it_validates():
    class NameForm(CleanTextFormMixin, forms.Form):
        name = forms.CharField(max_length=8)
        note = forms.CharField(widget=forms.Textarea, required=False)
        secret = forms.CharField(widget=forms.PasswordInput)

    form = NameForm({"name": "Ива\x01\x02\x03нова", "note": "раз\nдва\x07", "secret": "pa\x01ss"})
    assert form.is_valid(), form.errors  # 8 letters once cleaned
    assert form.cleaned_data == {"name": "Иванова", "note": "раз\nдва", "secret": "pa\x01ss"}


@pytest.mark.django_db
def test_the_person_form_stores_no_control_characters(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("registry:person_edit", args=[world.pa.pk]),
        {"last_name": DIRTY, "first_name": "Мария\x01", "patronymic": "Пет\x1fровна"},
    )
    assert response.status_code == 302, response.context["form"].errors
    world.pa.refresh_from_db()
    assert (world.pa.last_name, world.pa.first_name, world.pa.patronymic) == ("Аничкова", "Мария", "Петровна")


@pytest.mark.django_db
@pytest.mark.parametrize("content_format", ["json", "multipart"])
def test_the_api_stores_no_control_characters(world, content_format):
    client = APIClient()
    client.force_authenticate(world.users["coordinator"])
    response = client.patch(
        reverse("api:person-detail", args=[world.pa.pk]),
        {"last_name": DIRTY, "phone": "+7 900\x00 000-00-00"} if content_format == "json" else {"last_name": DIRTY},
        format=content_format,
    )
    assert response.status_code == 200, response.content
    world.pa.refresh_from_db()
    assert world.pa.last_name == "Аничкова"


def test_the_api_parsers_leave_passwords_as_typed():
    from io import BytesIO

    from metodist.core.api_parsers import FormParser, JSONParser

    body = b'{"username": "adm\\u0001in", "password": "pa\\u0001ss", "new_password1": "x\\u0002"}'
    assert JSONParser().parse(BytesIO(body), "application/json") == {
        "username": "admin",
        "password": "pa\x01ss",
        "new_password1": "x\x02",
    }
    form = FormParser().parse(BytesIO(b"username=adm%01in&password=pa%01ss"), "application/x-www-form-urlencoded", {})
    assert (form["username"], form["password"]) == ("admin", "pa\x01ss")


def test_the_import_cell_reader_uses_the_same_cleaning():
    assert cell_text(DIRTY) == "Аничкова"
    assert cell_text("Ива\x01нова\x0bМария") == "Иванова Мария"


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module_info in pkgutil.walk_packages(metodist.__path__, "metodist."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or not (name.endswith(".forms") or ".forms." in name):
            continue
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                found.append(cls)
    return found


def test_every_project_form_with_text_fields_cleans_them():
    """A new form cannot forget the cleaning: every form with a text field uses CleanTextFormMixin."""
    offenders = []
    for form_class in _project_forms():
        text_fields = [
            name
            for name, field in form_class.base_fields.items()
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
        ]
        if text_fields and not issubclass(form_class, CleanTextFormMixin):
            offenders.append(f"{form_class.__module__}.{form_class.__name__} ({', '.join(text_fields)})")
    assert not offenders, "forms whose text is not cleaned: " + "; ".join(offenders)
