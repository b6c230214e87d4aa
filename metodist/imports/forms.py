"""Forms of the import: the upload and the confirmation."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from metodist.core.permissions import Action
from metodist.registry.models import Organisation

from . import errors
from .models import ImportKind
from .parsing import ALLOWED_EXTENSIONS
from .services import can_import_organisations


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Что загружаем"), choices=ImportKind.choices, widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        label=_("Организация"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Для списка работников: в какую организацию он загружается."),
    )
    file = forms.FileField(
        label=_("Файл"),
        help_text=_("Таблица Excel (.xlsx) или CSV (.csv)."),
        error_messages={"required": errors.FILE_REQUIRED, "empty": errors.EMPTY_FILE},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt"}),
    )

    reference_date = forms.DateField(
        label=_("Дата, на которую составлен список"),
        required=False,
        help_text=_(
            "Если стаж указан в годах («Стаж, лет»), дата начала стажа считается назад от этой даты. "
            "Не указана — от сегодняшней."
        ),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organisations = (
            Organisation.objects.visible_to(user, Action.IMPORT)
            .filter(is_active=True)
            .select_related("territory")
            .order_by("territory__name", "short_name")
        )
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda o: f"{o.short_name} ({o.territory.name})"
        self.fields["kind"].initial = ImportKind.STAFF
        if not can_import_organisations(user):
            self.fields["kind"].choices = [(ImportKind.STAFF.value, ImportKind.STAFF.label)]
            self.fields["kind"].error_messages["invalid_choice"] = errors.ORGANISATIONS_IMPORT_FORBIDDEN
        if "organisation" not in self.initial:
            only = list(organisations[:2])
            if len(only) == 1:
                self.initial["organisation"] = only[0].pk
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        self.fields["organisation"].widget.attrs["class"] = "form-select"
        self.fields["organisation"].empty_label = _("— выберите организацию —")
        self.fields["file"].widget.attrs["class"] = "form-control"
        self.fields["file"].help_text = _("Таблица Excel (.xlsx) или CSV (.csv), не больше %(limit)s.") % {
            "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)
        }

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if kind == ImportKind.ORGANISATIONS and not can_import_organisations(self.user):
            raise forms.ValidationError(errors.ORGANISATIONS_IMPORT_FORBIDDEN)
        return kind

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(
                errors.FILE_TOO_LARGE % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
            )
        if PurePath(uploaded.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(errors.BAD_EXTENSION % {"name": uploaded.name})
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ImportKind.STAFF and not cleaned.get("organisation"):
            self.add_error("organisation", errors.ORGANISATION_REQUIRED)
        return cleaned


class ReferenceDateForm(forms.Form):
    """The preview's «пересчитать стаж на другую дату»."""

    reference_date = forms.DateField(
        label=_("Дата, на которую составлен список"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": _("Укажите дату."), "invalid": _("Укажите дату в виде ДД.ММ.ГГГГ.")},
    )


class ApplyForm(forms.Form):
    only_valid = forms.BooleanField(label=_("Загрузить только корректные строки"), required=False)
