"""A person's API token (`ApiToken`): authenticating a request with one (DRF). The token acts
as its user, with that user's scope, on the statistics, costs and change-plan APIs (e.g. a
network administrator's script); an agency's system uses an API client instead
(`api_clients`, decision 0018). The partner API recognises a person's token only to refuse
it with 403 (a valid credential is never 401; decision 0082). Tokens are made by
`reports.services.create_api_token` (`manage.py create_api_token`), which checks that the
user may read statistics, and revoked by `revoke_api_token` (`manage.py revoke_api_token`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from servicekontor.accounts.api_clients import PREFIX as CLIENT_TOKEN_PREFIX
from servicekontor.accounts.models import ApiToken, User


def person_of_token(token: str) -> User | None:
    """The active user whose active `ApiToken` `token` is; None otherwise (only the token's
    SHA-256 is looked up)."""
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(token), is_active=True)
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    return found.user


def revoke_api_token(*, token: ApiToken) -> bool:
    """Revoke `token` now: every request with it is refused 401 ("Unknown or inactive API
    token."). False when it was already revoked. Lock: none (one conditional update)."""
    return bool(ApiToken.objects.filter(pk=token.pk, is_active=True).update(is_active=False))


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`. An agency API client's token (`skc_…`) is left to
    `ApiClientAuthentication`: it is never "unknown" here."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith(self.keyword + " "):
            return None
        token = header[len(self.keyword) + 1 :].strip()
        if token.startswith(CLIENT_TOKEN_PREFIX):
            return None
        user = person_of_token(token)
        if user is None:
            raise AuthenticationFailed(_("Unknown or inactive API token."))
        return user, "person-token"

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "servicekontor.accounts.api_tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A person's own API token (made on the page “My API tokens”, "
            "/staff/api-tokens/): acts as that person, with their scope — statistics, and "
            "costs and change plans for those who may see them. Not for the partner API.",
        }
