"""The vocabulary of the permission contract: actions and the kinds of structural scope.

They live in core because the contract (metodist.core.scoping) speaks them; ``metodist.accounts`` — the
roles, their assignments and each capability's role → actions table — builds on them and re-exports
them (``from metodist.accounts.choices import Action`` keeps working).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    GLOBAL = "global", _("Вся система")
    TERRITORY = "territory", _("Территория (регион или муниципалитет)")
    ORGANISATION = "organisation", _("Организация")
    SELF = "self", _("Свой профиль")


class Action(models.TextChoices):
    VIEW = "view", _("Просмотр")
    # Personal data (СНИЛС, birth date, phone, e-mail …) beyond the public card; see metodist.core.fields.
    VIEW_PERSONAL = "view_personal", _("Просмотр персональных данных")
    CHANGE = "change", _("Изменение")
    EXPORT = "export", _("Выгрузка")
    IMPORT = "import", _("Загрузка")


# The capability a scoped queryset belongs to unless it says otherwise.
DEFAULT_CAPABILITY = "registry"
# Core's own capability: the administrator's audit pages (who has it is declared by the accounts app).
AUDIT_CAPABILITY = "audit"
