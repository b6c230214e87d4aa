"""Template tags other apps' pages use to link into account management."""

from __future__ import annotations

from django import template
from django.urls import reverse

from metodist.accounts import permissions
from metodist.accounts.models import User

register = template.Library()


@register.simple_tag(takes_context=True)
def account_create_url(context, person) -> str:
    """The «Создать учётную запись» URL for a registry ``person``, or "" when the viewer may not give one.

    Shown when the viewer manages accounts, the person has no account and the viewer may give them one.
    """
    request = context.get("request")
    if request is None or person is None or not permissions.can_manage_accounts(request.user):
        return ""
    if User.objects.filter(person_id=person.pk).exists():
        return ""
    if not permissions.persons_for_accounts(request.user).filter(pk=person.pk).exists():
        return ""
    return f"{reverse('accounts:user_create')}?person={person.pk}"
