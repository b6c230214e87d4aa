"""Routes of the accounts for the canary walker (see metodist/core/tests/canary.py).

The canary user (``world.user``, a methodologist of the canary municipality, with the marker in their
names and e-mail) must never appear in another user's pages: point user-management routes at it.
"""

from __future__ import annotations

CANARY_ROUTES: dict = {
    # "accounts:user_detail": lambda w: [variant(pk=w.user.pk)],
}
