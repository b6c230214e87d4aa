"""Writes about accounts: create users, give and take roles, invitations, bulk accounts, API tokens.

Every function is keyword-only and checks the manager's right itself (``by``), so a page, the demo
and a future API call the same code. Messages are constants tests assert.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy

from metodist.core.scoping import forget_scopes

from . import permissions
from .choices import Role
from .models import ApiToken, RoleAssignment, User

logger = logging.getLogger(__name__)

ROLE_NOT_ALLOWED = gettext_lazy("Эту роль в этой зоне вы назначить не можете.")
ROLE_DUPLICATE = gettext_lazy("У пользователя уже есть эта роль.")
ROLE_NEEDS_PROFILE = gettext_lazy("Для этой роли пользователь должен быть связан с профилем педагога.")
OWN_ACCOUNT = gettext_lazy("Свою учётную запись здесь изменить нельзя.")
USERNAME_TAKEN = gettext_lazy("Имя пользователя «%(username)s» уже занято.")
PERSON_HAS_ACCOUNT = gettext_lazy("У педагога уже есть учётная запись.")
EMAIL_TAKEN = gettext_lazy("Адрес %(email)s уже указан у другой учётной записи.")

# Reasons a person of the staff gets no account in the bulk creation.
SKIP_NO_EMAIL = gettext_lazy("нет адреса электронной почты")
SKIP_HAS_ACCOUNT = gettext_lazy("уже есть учётная запись")
SKIP_EMAIL_TAKEN = gettext_lazy("адрес почты уже занят другой учётной записью")
SKIP_EMAIL_TWICE = gettext_lazy("тот же адрес почты у другого сотрудника этой организации")


# Roles and users -------------------------------------------------------------------------------------


def _check_assignable(by: User, *, role: str, territory, organisation, person_id) -> None:
    if not permissions.can_assign(by, role=role, territory=territory, organisation=organisation, person_id=person_id):
        raise PermissionDenied(str(ROLE_NOT_ALLOWED))


@transaction.atomic
def role_assign(*, by: User, user: User, role: str, territory=None, organisation=None) -> RoleAssignment:
    """Give ``user`` the ``role`` bound to ``territory`` / ``organisation``; ``by`` must be allowed to."""
    if user.pk == by.pk:
        raise PermissionDenied(str(OWN_ACCOUNT))
    _check_assignable(by, role=role, territory=territory, organisation=organisation, person_id=user.person_id)
    if RoleAssignment.objects.filter(user=user, role=role, territory=territory, organisation=organisation).exists():
        raise ValidationError(str(ROLE_DUPLICATE))
    assignment = RoleAssignment(user=user, role=role, territory=territory, organisation=organisation)
    assignment.full_clean()
    assignment.save()
    forget_scopes(user)
    return assignment


@transaction.atomic
def role_remove(*, by: User, assignment: RoleAssignment) -> None:
    if assignment.user_id == by.pk:
        raise PermissionDenied(str(OWN_ACCOUNT))
    _check_assignable(
        by,
        role=assignment.role,
        territory=assignment.territory,
        organisation=assignment.organisation,
        person_id=assignment.user.person_id,
    )
    assignment.delete()
    forget_scopes(assignment.user)


@transaction.atomic
def user_create(
    *,
    by: User,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    person=None,
    territory=None,
    organisation=None,
    request=None,
) -> User:
    """Create an account with one role and send its invitation (the user sets the password by the link)."""
    person_id = person.pk if person is not None else None
    _check_assignable(by, role=role, territory=territory, organisation=organisation, person_id=person_id)
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError(str(PERSON_HAS_ACCOUNT))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(str(USERNAME_TAKEN) % {"username": username})
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError(str(EMAIL_TAKEN) % {"email": email})
    if person is not None:
        first_name = first_name or person.first_name
        last_name = last_name or person.last_name
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, person=person)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    assignment = RoleAssignment(user=user, role=role, territory=territory, organisation=organisation)
    assignment.full_clean()
    assignment.save()
    transaction.on_commit(lambda: _invite_after_commit(user=user, request=request))
    return user


def _invite_after_commit(*, user: User, request=None) -> None:
    """Send the invitation once the account exists; a mail failure is logged, the account stays (resend later)."""
    try:
        invitation_send(user=user, request=request)
    except Exception:  # an unreachable mail server must not turn a created account into a server error
        logger.exception("Invitation to user %s was not sent", user.pk)


@transaction.atomic
def user_set_active(*, by: User, user: User, active: bool) -> None:
    """Block or unblock an account; a blocked account loses its API tokens and cannot log in."""
    if user.pk == by.pk:
        raise PermissionDenied(str(OWN_ACCOUNT))
    if not permissions.can_manage_user(by, user):
        raise PermissionDenied(str(ROLE_NOT_ALLOWED))
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user).delete()


# Invitations -----------------------------------------------------------------------------------------


def password_link(*, user: User, request=None) -> str:
    """A one-time link that lets ``user`` set a password (Django's password reset token)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def invitation_send(*, user: User, request=None) -> bool:
    """E-mail ``user`` an invitation with a link to set their password; False when they have no address."""
    if not user.email:
        return False
    context = {
        "user": user,
        "link": password_link(user=user, request=request),
        "valid_until": timezone.localtime() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        "roles": [str(a).split(": ", 1)[-1] for a in user.role_assignments.select_related("territory", "organisation")],
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])
    return True


# Accounts for a school's staff -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAccountLine:
    """One person of an organisation's staff in the bulk creation: gets an account or why not."""

    person: object
    email: str
    reason: str = ""

    @property
    def gets_account(self) -> bool:
        return not self.reason


def staff_accounts_plan(*, by: User, organisation) -> list[StaffAccountLine]:
    """Who of the organisation's current staff gets a teacher account and who is skipped, and why."""
    if not permissions.staff_organisations(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied(str(ROLE_NOT_ALLOWED))
    people = list(
        permissions.persons_for_accounts(by)
        .working_in([organisation.pk])
        .select_related("user")
        .order_by("last_name", "first_name", "patronymic", "pk")
    )
    emails = [p.email.strip().lower() for p in people if p.email.strip()]
    wanted = set(emails)
    users = User.objects.annotate(email_lower=Lower("email"), username_lower=Lower("username"))
    taken = set(users.filter(email_lower__in=wanted).values_list("email_lower", flat=True))
    taken |= set(users.filter(username_lower__in=wanted).values_list("username_lower", flat=True))
    seen: dict[str, int] = {}
    for email in emails:
        seen[email] = seen.get(email, 0) + 1
    lines = []
    for person in people:
        email = person.email.strip().lower()
        reason: object
        if getattr(person, "user", None) is not None:
            reason = SKIP_HAS_ACCOUNT
        elif not email:
            reason = SKIP_NO_EMAIL
        elif seen[email] > 1:
            reason = SKIP_EMAIL_TWICE
        elif email in taken:
            reason = SKIP_EMAIL_TAKEN
        else:
            reason = ""
        lines.append(StaffAccountLine(person=person, email=email, reason=str(reason) if reason else ""))
    return lines


@transaction.atomic
def staff_accounts_create(*, by: User, organisation, request=None) -> list[User]:
    """Create teacher accounts (login = e-mail) for the staff the plan admits and send their invitations."""
    created = []
    for line in staff_accounts_plan(by=by, organisation=organisation):
        if line.gets_account:
            created.append(
                user_create(
                    by=by, username=line.email, email=line.email, role=Role.TEACHER, person=line.person, request=request
                )
            )
    return created


# API tokens ------------------------------------------------------------------------------------------


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User, replace: bool = False) -> tuple[ApiToken, str]:
    """Issue a new API token; returns it and its key (shown once; only the digest is stored)."""
    key = secrets.token_hex(20)
    lifetime = datetime.timedelta(seconds=settings.API_TOKEN_LIFETIME)
    with transaction.atomic():
        if replace:
            ApiToken.objects.filter(user=user).delete()
        token = ApiToken.objects.create(
            user=user, digest=token_digest(key), prefix=key[:8], expires_at=timezone.now() + lifetime
        )
    return token, key


def token_forget_expired() -> int:
    """Delete expired tokens (they are refused anyway); returns how many were deleted."""
    deleted, _counts = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
