"""Agency API clients: issuing, rotating and revoking their credentials, and authenticating a
request with one (DRF). Decision: docs/decisions/0018-agency-api-clients.md.

A token is `skc_<key_id>_<secret>`: `key_id` (12 hex digits, public) finds the credential
row, the SHA-256 of the whole token is compared in constant time. The token is shown once,
when issued. Every request that presents a token of a known credential is logged
(`ApiClientUse`), accepted or refused; an unknown key id is refused without a row (there is
no client to log it against) and only a warning without the token is logged.

For another app's API: put `ApiClientAuthentication` first in `authentication_classes`; the
view then finds `request.user` to be an `ApiClientPrincipal` (with `.agency_id`) and must
scope every query to that agency. The partner API's views (API clients only) are built on
`partner_api.PartnerApiView`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from servicekontor.accounts.models import ApiClient, ApiClientUse, ApiCredential
from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.core.secret_tokens import hash_token

log = logging.getLogger(__name__)

# An unknown key id or a wrong secret (says no more: the caller may not hold the secret).
UNKNOWN_CREDENTIAL = gettext_lazy("Unknown or revoked API credential.")
PREFIX = "skc_"
KEY_ID_LENGTH = 12
DEFAULT_OVERLAP = dt.timedelta(days=7)


@dataclass(frozen=True)
class ApiClientPrincipal:
    """`request.user` of a request authenticated by an API client (not a person)."""

    client_id: int
    agency_id: int
    name: str
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self) -> str:  # DRF's user throttle keys on it
        return f"api-client-{self.client_id}"


def _new_token() -> tuple[str, str]:
    key_id = secrets.token_hex(KEY_ID_LENGTH // 2)
    return key_id, f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def _key_id(token: str) -> str | None:
    if not token.startswith(PREFIX):
        return None
    key_id = token[len(PREFIX) : len(PREFIX) + KEY_ID_LENGTH]
    if len(key_id) != KEY_ID_LENGTH or token[len(PREFIX) + KEY_ID_LENGTH :][:1] != "_":
        return ""
    return key_id


@transaction.atomic
def create_api_client(*, agency: Agency, name: str) -> tuple[ApiClient, str]:
    """A new client of `agency` with its first credential; returns (client, token shown once)."""
    client = ApiClient.objects.create(agency=agency, name=name, created_at=clock.now())
    return client, _issue(client)


def _issue(client: ApiClient) -> str:
    key_id, token = _new_token()
    ApiCredential.objects.create(
        client=client, key_id=key_id, token_hash=hash_token(token), created_at=clock.now()
    )
    return token


@transaction.atomic
def rotate_credentials(*, client: ApiClient, overlap: dt.timedelta = DEFAULT_OVERLAP) -> str:
    """Issue a new credential; the client's older valid ones stop working after `overlap`
    (sooner if they already expire sooner). Returns the new token (shown once).

    Lock: the client's row (two administrators rotating at once get two new credentials, and
    the old ones' expiry is set once)."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValueError("a revoked client gets no new credential")
    now = clock.now()
    ends = now + overlap
    ApiCredential.objects.filter(client=client, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=ends)
    ).update(expires_at=ends)
    return _issue(client)


def revoke_credential(*, credential: ApiCredential) -> None:
    """The credential stops working at once."""
    ApiCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )


@transaction.atomic
def revoke_client(*, client: ApiClient) -> None:
    """The client and every credential of it stop working at once."""
    now = clock.now()
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now)
    ApiCredential.objects.filter(client_id=client.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )


def authenticate_token(token: str, *, method: str, path: str) -> ApiClientPrincipal:
    """The principal of a valid token; raises AuthenticationFailed (401) otherwise. Logs the
    use (one `ApiClientUse` row) whenever the key id names a credential."""
    key_id = _key_id(token)
    credential = (
        ApiCredential.objects.select_related("client").filter(key_id=key_id).first()
        if key_id
        else None
    )
    if credential is None:
        log.warning("API client token with an unknown key id refused (%s %s)", method, path)
        raise AuthenticationFailed(UNKNOWN_CREDENTIAL)
    now = clock.now()
    client = credential.client
    if not hmac.compare_digest(credential.token_hash, hash_token(token)):
        result = ApiClientUse.Result.WRONG_SECRET
    elif credential.revoked_at is not None or client.revoked_at is not None:
        result = ApiClientUse.Result.REVOKED
    elif credential.expires_at is not None and credential.expires_at <= now:
        result = ApiClientUse.Result.EXPIRED
    else:
        result = ApiClientUse.Result.ACCEPTED
    ApiClientUse.objects.create(
        client=client,
        credential=credential,
        at=now,
        method=method[:8],
        path=path[:300],
        result=result,
    )
    if result == ApiClientUse.Result.WRONG_SECRET:  # says no more than an unknown key id
        raise AuthenticationFailed(UNKNOWN_CREDENTIAL)
    if result == ApiClientUse.Result.REVOKED:  # the caller holds the whole token: tell why
        raise AuthenticationFailed(
            _(
                "This API credential was revoked. Ask a network administrator for a new one "
                "(Authorization: Bearer skc_…)."
            )
        )
    if result == ApiClientUse.Result.EXPIRED:
        assert credential.expires_at is not None
        raise AuthenticationFailed(
            _(
                "This API credential expired at %(when)s UTC: a newer one was issued in its "
                "place. Use the newest token of the API client."
            )
            % {"when": credential.expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")}
        )
    ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return ApiClientPrincipal(client_id=client.pk, agency_id=client.agency_id, name=client.name)


class ApiClientAuthentication(BaseAuthentication):
    """`Authorization: Bearer skc_…`. Other bearer tokens are left to the next class."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiClientPrincipal, str] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith(self.keyword + " "):
            return None
        token = header[len(self.keyword) + 1 :].strip()
        if not token.startswith(PREFIX):
            return None
        principal = authenticate_token(token, method=request.method or "", path=request.path)
        return principal, "api-client"

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiClientScheme(OpenApiAuthenticationExtension):
    target_class = "servicekontor.accounts.api_clients.ApiClientAuthentication"
    name = "agencyApiClient"

    def get_security_requirement(
        self, auto_schema: Any
    ) -> dict[str, list[Any]] | list[dict[str, list[Any]]]:
        """No requirement (not listed) for an operation whose permission refuses every API client (a
        staff API: `reports.api.StaffPermission`): the schema promises a client only what it
        may read (walk F6: /api/costs/ listed the client's token, then answered 403)."""
        view = auto_schema.view
        if any(getattr(p, "refuses_api_clients", False) for p in view.get_permissions()):
            return []
        return {self.name: []}

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            # a code span: Swagger UI renders the description as HTML, where <key id> and
            # <secret> were taken for tags and the format read "skc__." (walk F28)
            "description": "An agency API client's token: `skc_<key id>_<secret>`. Reads its "
            "own agency's statistics and the partner API; not costs or change plans.",
        }
