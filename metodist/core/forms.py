"""Shared form pieces: Bootstrap styling and text cleaning for every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms

from .text import CleanTextFormMixin


class StyledFormMixin(CleanTextFormMixin):
    """Bootstrap classes on every widget; text fields cleaned of control characters (core.text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
