"""Routes of the accounts for the canary walker (see metodist/core/tests/canary.py).

The canary user (``world.user``, a methodologist of the canary municipality, with the marker in their
names and e-mail) must never appear in another user's pages: user-management routes point at it, its
role, the canary person (account from a registry person) and the canary organisation (staff accounts).
"""

from __future__ import annotations

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from metodist.core.tests.canary import variant


def _canary_role(w) -> int:
    return w.user.role_assignments.values_list("pk", flat=True).first()


CANARY_ROUTES: dict = {
    "accounts:user_list": lambda w: [
        variant(query={"q": w.search_term}),
        variant(query={"q": w.user.username[1:-1]}),
        variant(query={"page": "2"}),
    ],
    "accounts:user_detail": lambda w: [variant(pk=w.user.pk)],
    "accounts:user_create": lambda w: [
        variant(query={"q": w.search_term}),
        variant(query={"person": w.person.pk}),
        variant(query={"person": w.bridge.pk}),
    ],
    "accounts:staff_accounts": lambda w: [
        variant(query={"organisation": w.organisation.pk}),
        variant(query={"organisation": w.base.org_a.pk}),  # school A: the bridge works there too
    ],
    "accounts:role_add": lambda w: [variant(pk=w.user.pk)],
    "accounts:role_remove": lambda w: [variant(pk=w.user.pk, assignment_pk=_canary_role(w))],
    "accounts:user_set_active": lambda w: [variant(pk=w.user.pk)],
    "accounts:invitation_resend": lambda w: [variant(pk=w.user.pk)],
    "accounts:two_factor": lambda w: [variant(query={"next": w.person.get_absolute_url()})],
    "password_reset_confirm": lambda w: [
        variant(uidb64=urlsafe_base64_encode(force_bytes(w.user.pk)), token="set-password"),
        variant(uidb64=urlsafe_base64_encode(force_bytes(w.user.pk)), token="0-invalid"),
    ],
}
