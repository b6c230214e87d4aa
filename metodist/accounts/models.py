"""Users of Metodist and the roles that bind them to a scope."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel

from .choices import ROLE_SCOPE_KIND, Role, ScopeKind
from .querysets import RoleAssignmentQuerySet, UserManager


class User(AbstractUser):
    """A person who logs in. A teacher's account is linked to their registry profile."""

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("профиль педагога"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(BaseModel):
    """One role of a user, bound to the scope its role requires (роль и зона доступа)."""

    user = models.ForeignKey(
        User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("роль"), max_length=32, choices=Role.choices)
    territory = models.ForeignKey(
        "registry.Territory",
        verbose_name=_("территория"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("организация"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("назначение роли")
        verbose_name_plural = _("назначения ролей")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                name="role_assignment_scope_matches_role",
                condition=(
                    models.Q(
                        role__in=[Role.METHODOLOGIST, Role.OBSERVER],
                        territory__isnull=False,
                        organisation__isnull=True,
                    )
                    | models.Q(role=Role.COORDINATOR, territory__isnull=True, organisation__isnull=False)
                    | models.Q(
                        role__in=[
                            Role.ADMIN,
                            Role.TEACHER,
                            Role.MENTOR,
                            Role.EXPERT,
                            Role.ASSOCIATION_HEAD,
                        ],
                        territory__isnull=True,
                        organisation__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        target = self.territory or self.organisation
        label = self.get_role_display()
        return f"{self.user}: {label} ({target})" if target else f"{self.user}: {label}"

    @property
    def scope_kind(self) -> str:
        return ROLE_SCOPE_KIND[self.role]

    def clean(self) -> None:
        kind = self.scope_kind
        if kind == ScopeKind.TERRITORY and (self.territory_id is None or self.organisation_id):
            raise ValidationError(_("Для этой роли укажите территорию и не указывайте организацию."))
        if kind == ScopeKind.ORGANISATION and (self.organisation_id is None or self.territory_id):
            raise ValidationError(_("Для этой роли укажите организацию и не указывайте территорию."))
        if kind in (ScopeKind.GLOBAL, ScopeKind.SELF) and (self.organisation_id or self.territory_id):
            raise ValidationError(_("Эта роль не привязывается к территории или организации."))
        if kind == ScopeKind.SELF and self.user_id and self.user.person_id is None:
            raise ValidationError(_("Для этой роли пользователь должен быть связан с профилем педагога."))


class ApiToken(models.Model):
    """An API token (API-токен) of one user; only its SHA-256 digest is stored, the key is shown once.

    A token expires ``API_TOKEN_LIFETIME`` after it was issued; the profile page issues a new one and the
    token endpoint (``/api/auth/token/``) exchanges a username and password for one.
    """

    user = models.ForeignKey(User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("отпечаток ключа (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(_("начало ключа"), max_length=8)
    created_at = models.DateTimeField(_("выпущен"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"), db_index=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токены")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user}: {self.prefix}…"
