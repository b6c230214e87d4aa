"""Form widgets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class FastSelectRendering:
    """Renders a single select in Python rather than one template per option (mixed into a ``Select``).

    Filters of region-wide lists offer a thousand organisations; Django's template-per-option
    rendering of those costs about 0.2 s per page, this about 5 ms. The options of a model choice field
    are read with one plain query (Django's own iterator opens a server-side cursor on PostgreSQL: three
    round trips per select). Option groups are not supported.
    """

    attrs: dict[str, Any]
    choices: Any

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})  # type: ignore[attr-defined]
        formatted = self.format_value(value)  # type: ignore[attr-defined]
        chosen = formatted if isinstance(formatted, (list, tuple)) else [formatted]
        selected = {str(v) for v in chosen if v is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if str(option_value) in selected else "", label)
                for option_value, label in self._plain_choices()
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)

    def _plain_choices(self) -> Iterator[tuple[Any, Any]]:
        choices = self.choices
        queryset = getattr(choices, "queryset", None)
        field = getattr(choices, "field", None)
        if queryset is not None and field is not None:  # a ModelChoiceIterator
            if field.empty_label is not None:
                yield "", field.empty_label
            for obj in list(queryset):
                yield field.prepare_value(obj), field.label_from_instance(obj)
            return
        for option_value, label in choices:
            if hasattr(option_value, "value"):  # ModelChoiceIteratorValue
                option_value = option_value.value
            yield ("" if option_value is None else option_value), label


class FastSelect(FastSelectRendering, forms.Select):
    """A ``forms.Select`` rendered by :class:`FastSelectRendering`."""


class AutocompleteSelect(forms.Select):
    """A select of a large scoped list (a region's 1 000 organisations) that renders only its chosen option.

    The browser turns it into a search box (vendored tom-select, ``static/js/autocomplete.js``) that asks
    ``url`` for matching options as ``{"results": [{"id": …, "text": …}]}``; the page no longer carries
    every option. The field keeps validating against its own (scoped) queryset. The select's
    ``data-autocomplete-follow`` names another field (e.g. the municipality) whose value narrows the search.
    """

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.bootstrap5.min.css"]}
        js = ["vendor/tom-select/tom-select.base.min.js", "js/autocomplete.js"]

    def __init__(self, url: Any, *, follow: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url
        self.follow = follow

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        extra = {"name": name, "data-autocomplete-url": str(self.url)}
        if self.follow:
            extra["data-autocomplete-follow"] = self.follow
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), **extra})
        chosen = [v for v in self.format_value(value) if v not in ("", None)]
        options = [("", "", False)] + [(pk, label, True) for pk, label in self._labels(chosen)]
        return format_html(
            "<select{}>{}</select>",
            flatatt(final_attrs),
            format_html_join(
                "", '<option value="{}"{}>{}</option>', ((v, " selected" if s else "", t) for v, t, s in options)
            ),
        )

    def _labels(self, values: list[str]) -> list[tuple[Any, Any]]:
        """(value, label) of the chosen values that the field's queryset holds (one query, none if nothing chosen)."""
        if not values:
            return []
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return [(v, label) for v, label in self.choices if str(v) in values]
        field = self.choices.field  # type: ignore[attr-defined]  # a ModelChoiceIterator (it has a queryset)
        wanted = [v for v in values if str(v).isdigit()]
        return [(obj.pk, field.label_from_instance(obj)) for obj in queryset.filter(pk__in=wanted)]
