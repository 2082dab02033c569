"""Credentials that were sent but are not valid: 401 "invalid token", not DRF's
"Authentication credentials were not provided".

DRF tries each of a view's authentication classes; a class returns None for a header it does
not recognise (another scheme, a bearer token of another kind) so the next may try. When
none took the request, the permission check refuses it with NotAuthenticated, whose message
says no credentials were given — wrong and misleading for a partner who sent a mistyped or
expired token. `InvalidCredentialsMixin` (before APIView in the bases) answers such a
request with AuthenticationFailed instead; the status stays 401 with the view's
WWW-Authenticate (its first authentication class's `authenticate_header`).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

INVALID_TOKEN = _(
    "Invalid token: the credentials in the Authorization header are not valid here. Check "
    "the token, or ask for a new one."
)


class InvalidCredentialsMixin:
    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        if (
            request.authenticators
            and not request.successful_authenticator
            and request.headers.get("Authorization", "").strip()
        ):
            raise AuthenticationFailed(INVALID_TOKEN, code="invalid_token")
        parent: Any = super()
        parent.permission_denied(request, message=message, code=code)
        raise AssertionError("APIView.permission_denied raises")  # pragma: no cover
