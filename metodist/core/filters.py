"""Shared pieces of list filters (django-filter): styled widgets, strict yes/no filters, invalid → nothing.

An invalid filter value never falls back to the unfiltered list: a page shows the form error and an
empty list, the API answers 400 (django-filter's DRF backend raises on an invalid filter form), and an
export answers 400 (see :func:`metodist.core.lists.export_response`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .widgets import FastSelect, FastSelectRendering

YES_NO_INVALID = _("Выберите «да» или «нет» (true/false, 1/0) или оставьте поле пустым.")

_YES = {"true", "1", "yes", "да", "on"}
_NO = {"false", "0", "no", "нет", "off"}


class YesNoWidget(FastSelectRendering, django_filters.widgets.BooleanWidget):
    """«любой / да / нет» select that also accepts 1/0 in the query string; other values stay invalid."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("любой")), ("true", _("да")), ("false", _("нет"))]

    def value_from_datadict(self, data: Mapping[str, Any], files: Mapping[str, Any], name: str) -> Any:
        value = data.get(name)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _YES:
                return True
            if lowered in _NO:
                return False
            return None if lowered == "" else value  # the raw value, so that the field reports it
        return value


class YesNoField(forms.NullBooleanField):
    """True, False or None (not chosen); anything else is a validation error, not «any»."""

    widget = YesNoWidget

    # NullBooleanField answers None for «not chosen»; its stub inherits BooleanField's ``-> bool``.
    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (True, False, None, ""):
            return None if value == "" else value
        raise forms.ValidationError(YES_NO_INVALID, code="invalid")

    def validate(self, value: Any) -> None:
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", YesNoWidget())
        super().__init__(*args, **kwargs)


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on every filter widget (the empty choice «все» is FILTERS_EMPTY_CHOICE_LABEL).

    A bound filter set with an invalid value filters to nothing and marks the field ``is-invalid``.
    """

    search_placeholder = _("ФИО или почта")

    @property
    def form(self) -> forms.Form:
        form: forms.Form = super().form
        if not getattr(form, "_metodist_styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.Select):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                    if type(widget) is forms.Select:
                        field.widget = FastSelect(attrs=widget.attrs, choices=widget.choices)
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
                    widget.attrs.setdefault("placeholder", self.search_placeholder)
            setattr(form, "_metodist_styled", True)  # noqa: B010 -- a marker Form does not declare
        return form

    @property
    def qs(self) -> QuerySet[Any]:
        if not hasattr(self, "_qs") and self.is_bound and not self.is_valid():
            for name in self.form.errors:
                if name in self.form.fields:
                    widget = self.form.fields[name].widget
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            self._qs = self.queryset.none()
        queryset: QuerySet[Any] = super().qs
        return queryset
