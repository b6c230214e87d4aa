"""Forms of the assessments pages: a procedure, its tasks table, a specification file, a result file."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from metodist.core.forms import StyledFormMixin
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.imports import errors as import_errors
from metodist.registry.choices import OrganisationKind
from metodist.registry.models import Organisation, Subject

from . import messages
from .choices import ProcedureKind, ResultFormat
from .models import Procedure, Task
from .permissions import CAPABILITY
from .readers.base import task_key
from .readers.sheets import ALLOWED_EXTENSIONS
from .specification import SpecRow

DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# Kinds a coordinator may create for their own school.
SCHOOL_KINDS = (ProcedureKind.SCHOOL, ProcedureKind.LITERACY)


def max_upload_bytes() -> int:
    return int(getattr(settings, "ASSESSMENTS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def changes_shared(user: Any) -> bool:
    """Methodologists and administrators change shared procedures; a coordinator only their school's own."""
    scope = scope_for(user, Action.CHANGE, CAPABILITY)
    return scope.is_global or bool(scope.territory_ids)


def schools_for(user: Any, action: str) -> Any:
    return (
        Organisation.objects.visible_to(user, action, CAPABILITY)
        .filter(kind=OrganisationKind.SCHOOL, is_active=True)
        .select_related("territory")
        .order_by("territory__name", "short_name")
    )


class ProcedureForm(StyledFormMixin, forms.ModelForm[Procedure]):
    mark3 = forms.IntegerField(label=_("Отметка «3» — от баллов"), min_value=0, required=False)
    mark4 = forms.IntegerField(label=_("Отметка «4» — от баллов"), min_value=0, required=False)
    mark5 = forms.IntegerField(label=_("Отметка «5» — от баллов"), min_value=0, required=False)

    class Meta:
        model = Procedure
        fields = ["kind", "title", "subject", "grade", "academic_year", "held_on", "organisation", "description"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["subject"].queryset = Subject.objects.order_by("sort_order", "name")  # type: ignore[attr-defined]
        organisations = schools_for(user, Action.CHANGE)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].label_from_instance = lambda o: f"{o.short_name} ({o.territory.name})"  # type: ignore[attr-defined]
        self.fields["organisation"].help_text = _("Пусто — общая процедура (ВПР, ОГЭ, региональная диагностика).")
        if not changes_shared(user):
            self.fields["organisation"].required = True
            self.fields["organisation"].help_text = _("Школьная диагностика вашей школы.")
            self.fields["kind"].choices = [(k.value, k.label) for k in SCHOOL_KINDS]  # type: ignore[attr-defined]
            only = list(organisations[:2])
            if len(only) == 1 and not self.instance.pk:
                self.initial["organisation"] = only[0].pk
        scale = self.instance.mark_scale or {}
        for mark in ("3", "4", "5"):
            self.initial.setdefault(f"mark{mark}", scale.get(mark))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(f"mark{m}") for m in ("3", "4", "5")]
        filled = [v for v in values if v is not None]
        if filled and (len(filled) != 3 or not values[0] < values[1] < values[2]):  # type: ignore[operator]
            self.add_error("mark5", messages.BAD_MARK_SCALE)
        if cleaned.get("organisation") is None and not changes_shared(self.user):
            self.add_error("organisation", _("Выберите свою школу."))
        return cleaned

    def save(self, commit: bool = True) -> Procedure:
        values = [self.cleaned_data.get(f"mark{m}") for m in ("3", "4", "5")]
        self.instance.mark_scale = (
            dict(zip(("3", "4", "5"), values, strict=True)) if all(v is not None for v in values) else {}
        )
        return super().save(commit)


class TaskForm(StyledFormMixin, forms.ModelForm[Task]):
    class Meta:
        model = Task
        fields = [
            "number",
            "max_score",
            "level",
            "checked_element",
            "planned_result",
            "codifier_codes",
            "literacy_type",
            "competence_codes",
        ]
        widgets = {
            "checked_element": forms.Textarea(attrs={"rows": 2}),
            "planned_result": forms.Textarea(attrs={"rows": 2}),
        }

    def validate_unique(self) -> None:
        """Numbers are checked across the whole table (the formset), positions are set on save."""


class BaseTaskFormSet(forms.BaseModelFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        seen: dict[str, int] = {}
        for index, form in enumerate(self.forms, start=1):
            if (
                not hasattr(form, "cleaned_data")
                or form.cleaned_data.get("DELETE")
                or not form.has_changed()
                and not form.instance.pk
            ):
                continue
            number = form.cleaned_data.get("number")
            if not number:
                continue
            key = task_key(number)
            if key in seen:
                form.add_error(
                    "number", messages.SPEC_DUPLICATE_TASK % {"task": number, "lines": f"{seen[key]}, {index}"}
                )
            seen[key] = index

    def spec_rows(self) -> list[SpecRow]:
        rows = []
        for index, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("number"):
                continue
            rows.append(
                SpecRow(
                    line=index,
                    number=" ".join(str(data["number"]).split()),
                    max_score=data["max_score"],
                    level=data["level"],
                    checked_element=data.get("checked_element", ""),
                    planned_result=data.get("planned_result", ""),
                    codifier_codes=data.get("codifier_codes", ""),
                    literacy_type=data.get("literacy_type", ""),
                    competence_codes=data.get("competence_codes", ""),
                )
            )
        return rows


TaskFormSet = forms.modelformset_factory(Task, form=TaskForm, formset=BaseTaskFormSet, extra=3, can_delete=True)


def _check_file(uploaded: Any) -> Any:
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise forms.ValidationError(
            import_errors.FILE_TOO_LARGE % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
        )
    if PurePath(uploaded.name).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise forms.ValidationError(import_errors.BAD_EXTENSION % {"name": uploaded.name})
    return uploaded


class SpecificationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл спецификации"),
        help_text=_("Таблица Excel (.xlsx) или CSV: номер задания, максимальный балл, уровень, проверяемые элементы…"),
        error_messages={"required": import_errors.FILE_REQUIRED, "empty": import_errors.EMPTY_FILE},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt", "class": "form-control"}),
    )

    def clean_file(self) -> Any:
        return _check_file(self.cleaned_data["file"])


class ResultUploadForm(StyledFormMixin, forms.Form):
    procedure = forms.ModelChoiceField(label=_("Оценочная процедура"), queryset=Procedure.objects.none())
    organisation = forms.ModelChoiceField(
        label=_("Школа"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "Для формы сбора результатов — школа, которая её заполнила. Для выгрузки муниципалитета не нужна: "
            "школы узнаются по логину ФИС ОКО и наименованию."
        ),
    )
    file_format = forms.ChoiceField(
        label=_("Формат файла"),
        choices=[("", _("Определить по заголовкам")), *ResultFormat.choices],
        required=False,
    )
    file = forms.FileField(
        label=_("Файл"),
        error_messages={"required": import_errors.FILE_REQUIRED, "empty": import_errors.EMPTY_FILE},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        procedures = Procedure.objects.visible_to(user, Action.IMPORT).select_related("subject")
        self.fields["procedure"].queryset = procedures  # type: ignore[attr-defined]
        schools = schools_for(user, Action.IMPORT)
        self.fields["organisation"].queryset = schools  # type: ignore[attr-defined]
        self.fields["organisation"].label_from_instance = lambda o: f"{o.short_name} ({o.territory.name})"  # type: ignore[attr-defined]
        self.fields["organisation"].empty_label = _("— не выбрана —")  # type: ignore[attr-defined]
        only = list(schools[:2])
        if len(only) == 1 and "organisation" not in self.initial:
            self.initial["organisation"] = only[0].pk
        self.fields["file"].help_text = _(
            "Таблица Excel (.xlsx) или CSV, не больше %(limit)s. Столбцы с ФИО удаляются сразу при получении файла."
        ) % {"limit": filesizeformat(max_upload_bytes())}

    def clean_file(self) -> Any:
        return _check_file(self.cleaned_data["file"])


class ClassMappingForm(forms.Form):
    """The preview's choice of the registry class for each ordinal of a collection form."""

    def __init__(self, *args: Any, classes: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ordinals: list[str] = []
        for planned in classes:
            if planned.get("ordinal") is None or not planned.get("options"):
                continue
            name = f"class_{planned['class_key']}"
            self.ordinals.append(planned["class_key"])
            self.fields[name] = forms.TypedChoiceField(
                label=_("Класс № %(ordinal)s в файле") % {"ordinal": planned["ordinal"]},
                choices=[(str(pk), label) for pk, label in planned["options"]],
                coerce=int,
                initial=str(planned.get("school_class") or ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen: dict[int, str] = {}
        labels = {str(pk): label for field in self.fields.values() for pk, label in field.choices}  # type: ignore[attr-defined]
        for ordinal in self.ordinals:
            value = cleaned.get(f"class_{ordinal}")
            if value is None:
                continue
            if value in chosen:
                self.add_error(
                    f"class_{ordinal}", messages.MAPPING_DUPLICATE % {"label": labels.get(str(value), value)}
                )
            chosen[value] = ordinal
        return cleaned

    def mapping(self) -> dict[str, int]:
        return {ordinal: self.cleaned_data[f"class_{ordinal}"] for ordinal in self.ordinals}
