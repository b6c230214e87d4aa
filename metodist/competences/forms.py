"""Forms of the competences pages; the rules live in ``services`` (forms only collect values)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from metodist.core.forms import StyledFormMixin
from metodist.registry.models import Subject

from .choices import CompetenceArea, FrameworkKind, NodeKind
from .models import Framework

CHOOSE_DECISION = _("Выберите решение: подтвердить или отклонить.")
FILE_KIND_UNKNOWN = _("Загрузите XML-файл профессионального стандарта из реестра или таблицу XLSX/CSV.")
FILE_TOO_BIG = _("Файл больше %(max)s МБ.")
MAX_UPLOAD_MB = 20


class DecisionForm(StyledFormMixin, forms.Form):
    """Confirm or reject a proposed deficit: a required note and, optionally, what the decision rests on."""

    decision = forms.ChoiceField(
        label=_("Решение"),
        choices=[("confirm", _("Подтвердить дефицит")), ("reject", _("Отклонить"))],
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_DECISION},
    )
    note = forms.CharField(
        label=_("Комментарий"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("На чём основано решение: что показало посещение урока, беседа, повторная диагностика."),
        max_length=4000,
    )
    decision_ref = forms.CharField(
        label=_("Основание (наблюдение урока)"),
        required=False,
        max_length=200,
        help_text=_("Например, «diagnostics.Observation:17» — ссылка на карту наблюдения урока."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    @property
    def confirm(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "confirm")


class CloseForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Что показало преодоление дефицита"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class FrameworkForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Framework
        fields = ["name", "kind", "subject", "source", "scale_min", "scale_max", "proficiency_threshold", "is_active"]


class NodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Код"), max_length=64)
    kind = forms.ChoiceField(label=_("Вид"), choices=NodeKind.choices)
    title = forms.CharField(label=_("Формулировка"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    areas = forms.MultipleChoiceField(
        label=_("Области компетенций"),
        choices=CompetenceArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Области раздела или функции действуют и для всех входящих в них элементов."),
    )


class FrameworkUploadForm(StyledFormMixin, forms.Form):
    """The file and the new framework version's description (the file's own name is used where empty)."""

    file = forms.FileField(
        label=_("Файл"),
        help_text=_("XML профессионального стандарта из реестра или таблица XLSX/CSV по шаблону."),
    )
    code = forms.CharField(label=_("Код рамки"), max_length=64, help_text=_("Например, «ПС 01.001» или «ПМ-М»."))
    version = forms.CharField(label=_("Версия"), max_length=32, help_text=_("Например, год или номер приказа."))
    name = forms.CharField(label=_("Наименование"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Вид рамки"), choices=FrameworkKind.choices)
    subject = forms.ModelChoiceField(label=_("Предмет"), queryset=Subject.objects.all(), required=False)
    proficiency_threshold = forms.DecimalField(
        label=_("Порог освоения (из 100)"), min_value=Decimal(0), max_value=Decimal(100), initial=Decimal(60)
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(FILE_TOO_BIG, params={"max": MAX_UPLOAD_MB})
        if file_kind(upload.name) is None:
            raise forms.ValidationError(FILE_KIND_UNKNOWN)
        return upload


def file_kind(filename: str) -> str | None:
    """«xml» for the register's file, «table» for a spreadsheet or CSV, ``None`` otherwise."""
    extension = PurePath(filename).suffix.lower()
    if extension == ".xml":
        return "xml"
    if extension in {".xlsx", ".xlsm", ".csv", ".txt", ".xls"}:
        return "table"
    return None
