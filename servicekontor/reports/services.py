"""Writes of the statistics app: people's API tokens (`accounts.ApiToken`, for the statistics
API and the other staff APIs). (The rollups are written by `rollups.py`.)"""

import secrets

from django.db import transaction

from servicekontor.accounts.models import ApiToken, User
from servicekontor.core import clock
from servicekontor.reports.scope import scope_for


@transaction.atomic
def create_api_token(*, user: User, name: str) -> str:
    """A new token for `user`; returns the token (shown once; only its hash is stored).

    Raises NoStatistics (403) for a user who may see no statistics. Lock: none (the hash is
    unique).
    """
    scope_for(user)
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, token_hash=ApiToken.hash(token), created_at=clock.now()
    )
    return token
