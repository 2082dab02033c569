"""The partner API's door (`/api/partner/…`: handovers, offerings, caseworkers' availability,
video meetings): an agency's systems, each with one of its agency's API clients
(`Authorization: Bearer skc_…`, `api_clients`), and nobody else. Every other caller is refused
with a JSON `{"detail": …}` that says what the partner API takes, in the language of the
request's Accept-Language (decision 0064):

- no credentials: 401;
- an unknown, revoked or expired API client token: 401 (`api_clients.authenticate_token`);
- another scheme, or a bearer token that is no credential at all: 401;
- a valid credential of a person — a personal API token, or a session signed in on the site,
  whatever the role: 403 (a valid credential is never 401, decision 0018).

Decision: docs/decisions/0082-partner-partner-api-credentials-and-refusals.md.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.auth import get_user
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from servicekontor.accounts.api_clients import ApiClientAuthentication, ApiClientPrincipal
from servicekontor.accounts.api_tokens import person_of_token

NO_CREDENTIALS = gettext_lazy(
    "No credentials. The partner API is for an agency's systems: send one of the agency's API "
    "client tokens, Authorization: Bearer skc_…."
)
NOT_A_CREDENTIAL = gettext_lazy(
    "The Authorization header holds no credential the partner API takes: it takes only an "
    "agency's API client token, Authorization: Bearer skc_…."
)
A_PERSON = gettext_lazy(
    "The partner API is for an agency's systems, with one of the agency's API client tokens "
    "(Authorization: Bearer skc_…); a person, signed in or with a personal API token, cannot "
    "use it. People see the handovers at /handovers/ and the figures at /statistics/ (with a "
    "personal token: /api/statistics/)."
)


class IsApiClient(BasePermission):
    """Only an agency's API client."""

    message = A_PERSON

    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.user, ApiClientPrincipal)


class PartnerApiView(APIView):
    """A view of the partner API: `request.user` is an `ApiClientPrincipal` (its agency:
    `partner_agency_id`); every query must be scoped to that agency. Only the API client's
    scheme authenticates (the schema names only it); a person's credential is recognised only
    to be refused with 403, in `permission_denied`."""

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [IsApiClient]

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        scheme, _space, token = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme or token:
            if scheme == "Bearer" and token.strip() and person_of_token(token.strip()):
                raise PermissionDenied(A_PERSON, code="person")
            raise AuthenticationFailed(NOT_A_CREDENTIAL, code="not_a_credential")
        # the site's session, if any (DRF has set request.user to anonymous by now)
        if hasattr(request._request, "session") and get_user(request._request).is_authenticated:
            raise PermissionDenied(A_PERSON, code="person")
        raise NotAuthenticated(NO_CREDENTIALS)


def partner_agency_id(request: Request) -> int:
    """The agency of the API client that made `request` (a `PartnerApiView`'s)."""
    principal = request.user
    if not isinstance(principal, ApiClientPrincipal):
        raise PermissionDenied(A_PERSON, code="person")
    return principal.agency_id
