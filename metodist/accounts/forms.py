"""Forms of account management: new user, role, a school's staff accounts, one-time code."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from metodist.core.text import CleanTextFormMixin
from metodist.core.widgets import FastSelect

from . import permissions
from .choices import ROLE_SCOPE_KIND, Role, ScopeKind

TERRITORY_REQUIRED = _("Для этой роли выберите территорию.")
ORGANISATION_REQUIRED = _("Для этой роли выберите организацию.")
PROFILE_REQUIRED = _("Эта роль даётся только учётной записи педагога из реестра.")
CODE_FORMAT = _("Введите 6 цифр из приложения-аутентификатора.")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class RoleFieldsMixin(forms.Form):
    """``role`` + ``territory`` + ``organisation`` limited to what the manager may give."""

    def _add_role_fields(self, manager, *, with_profile: bool, organisations=None) -> None:
        roles = permissions.assignable_roles(manager, with_profile=with_profile)
        labels = dict(Role.choices)
        self.fields["role"] = forms.ChoiceField(label=_("Роль"), choices=[(r, labels[r]) for r in roles])
        self.fields["territory"] = forms.ModelChoiceField(
            label=_("Территория (для методиста и наблюдателя)"),
            queryset=permissions.assignable_territories(manager).order_by("name"),
            required=False,
        )
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Организация (для координатора)"),
            queryset=organisations if organisations is not None else permissions.assignable_organisations(manager),
            required=False,
            widget=FastSelect,
        )

    def _clean_role_fields(self, cleaned: dict) -> dict:
        kind = ROLE_SCOPE_KIND.get(cleaned.get("role", ""))
        if kind == ScopeKind.TERRITORY:
            cleaned["organisation"] = None
            if not cleaned.get("territory"):
                self.add_error("territory", TERRITORY_REQUIRED)
        elif kind == ScopeKind.ORGANISATION:
            cleaned["territory"] = None
            if not cleaned.get("organisation"):
                self.add_error("organisation", ORGANISATION_REQUIRED)
        else:
            cleaned["territory"] = cleaned["organisation"] = None
        return cleaned


class UserCreateForm(CleanTextFormMixin, RoleFieldsMixin):
    """A new account, for a registry person (``person``) or for a methodologist / coordinator."""

    username = forms.CharField(
        label=_("Имя пользователя (логин)"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    email = forms.EmailField(label=_("Электронная почта"), help_text=_("На неё придёт приглашение."))
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)

    def __init__(self, *args, manager, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        organisations = None
        if person is not None:
            del self.fields["last_name"], self.fields["first_name"]
            organisations = permissions.assignable_organisations(manager).filter(
                pk__in=person.employments.values("organisation_id")
            )
            if not self.is_bound:
                self.initial.setdefault("email", person.email)
                self.initial.setdefault("username", person.email.lower())
                self.initial.setdefault("role", Role.TEACHER)
        self._add_role_fields(manager, with_profile=person is not None, organisations=organisations)
        _style(self)

    def clean(self):
        cleaned = super().clean() or {}
        if self.person is None and ROLE_SCOPE_KIND.get(cleaned.get("role", "")) == ScopeKind.SELF:
            self.add_error("role", PROFILE_REQUIRED)
        return self._clean_role_fields(cleaned)


class RoleAssignForm(RoleFieldsMixin):
    def __init__(self, *args, manager, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self._add_role_fields(manager, with_profile=target.person_id is not None)
        _style(self)

    def clean(self):
        return self._clean_role_fields(super().clean() or {})


class StaffOrganisationForm(forms.Form):
    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Организация"),
            queryset=permissions.staff_organisations(manager).order_by("short_name"),
            widget=FastSelect,
        )
        _style(self)


class OneTimeCodeForm(CleanTextFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("Код из приложения"),
        regex=r"^\d{6}$",
        error_messages={"invalid": CODE_FORMAT},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_code(self):
        return self.cleaned_data["code"].strip()
