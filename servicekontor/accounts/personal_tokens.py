"""A person's own API tokens (`ApiToken`), made, listed and revoked by that person on the page
"My API tokens" (`/staff/api-tokens/`, walk F7: before, only `manage.py create_api_token` on
the server made one).

Who: whoever may read statistics (`permissions.may_see_statistics`: network administrators,
office managers, agency analysts with an agency) — the rule `reports.scope.scope_for` applies
to a token's every request. The token is shown once, when made; only its SHA-256 is stored.
Revoking sets `is_active` off (the row stays, so the list shows it was revoked); it takes
effect on the next request (`api_tokens.person_of_token`).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.accounts.models import ApiToken, User
from servicekontor.accounts.permissions import may_see_statistics
from servicekontor.core import clock
from servicekontor.core.errors import DomainError

#: Active tokens one person may hold at once (a script per purpose; more is a leak risk).
MAX_ACTIVE = 10


class NoApiAccess(DomainError):
    http_status = 403
    default_message = gettext_lazy(
        "Your role gives no access to the API: API tokens are for network administrators, "
        "office managers and agency analysts."
    )


class TooManyTokens(DomainError):
    http_status = 400

    def __init__(self) -> None:
        super().__init__(
            _(
                "You have %(n)s active API tokens, the most one person may have. Revoke one "
                "you no longer use first."
            )
            % {"n": MAX_ACTIVE}
        )


def may_have_tokens(user: User) -> bool:
    return user.is_authenticated and may_see_statistics(user)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, active first, newest first (never another person's)."""
    return list(ApiToken.objects.filter(user=user).order_by("-is_active", "-created_at", "-pk"))


@transaction.atomic
def issue(*, user: User, name: str) -> str:
    """A new token for ``user``; returns it (shown once). Raises NoApiAccess (403), and
    TooManyTokens (400) at MAX_ACTIVE active tokens (the user's row is locked, so two
    requests cannot both pass the count)."""
    if not may_have_tokens(user):
        raise NoApiAccess()
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, is_active=True).count() >= MAX_ACTIVE:
        raise TooManyTokens()
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, token_hash=ApiToken.hash(token), created_at=clock.now()
    )
    return token


def revoke(*, user: User, token_id: int) -> ApiToken | None:
    """Revoke ``user``'s own token ``token_id``; None when it is not theirs (or not there).
    Revoking a revoked token changes nothing."""
    found = ApiToken.objects.filter(user=user, pk=token_id).first()
    if found is not None and found.is_active:
        found.is_active = False
        found.save(update_fields=["is_active"])
    return found
