"""Locking the public screens (kiosk, lobby display) of an office to paired devices.

An office that sets `QueueSettings.require_device_token` shows its kiosk and display only to
browsers that were paired once: an administrator creates a token (`manage.py
create_device_token`), opens the printed pairing link on the device, and the device keeps a
signed cookie with the token. Only a hash of the token is stored, and deactivating the
`DeviceToken` row unpairs the device at once. Offices without the setting stay open.
"""

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from servicekontor.core import clock
from servicekontor.core.secret_tokens import new_token
from servicekontor.network import registry_cache
from servicekontor.network.models import Office
from servicekontor.queueing.models import DeviceToken, QueueSettings

COOKIE = "sk_device"
COOKIE_SALT = "servicekontor.queueing.devices"
COOKIE_MAX_AGE = 365 * 24 * 3600


def screen_office(*, code: str) -> Office:
    """The office a public screen (kiosk, lobby display) shows; 404 if unknown or closed for
    good. Its queue settings come along (or their absence): the screen asks them whether it
    must be paired.

    From the shared registry cache (`network.registry_cache`, decision 0037): every lobby
    board poll and kiosk page reads it, and an ORM read of the office with its settings cost
    about a third of a board's 304 (docs/benchmarks.md, "Per-request floor"). Any save or
    delete of an office or of its queue settings retires the entry (`queueing/apps.py`); the
    device tokens themselves are never cached (`device_allowed` reads them every time)."""
    if not registry_cache.possible_code(code):
        raise Http404
    found = registry_cache.cached(
        "screen-office",
        (code,),
        lambda: [*Office.objects.select_related("queue_settings").filter(code=code)[:1]],
        keep_empty=False,  # made-up codes in URLs do not fill the shared cache
    )
    if not found:
        raise Http404
    office = found[0]
    if not office.is_operating_on(clock.local_today()):
        raise Http404(_("This office is not open any more."))
    return office


def screen_office_by_id(*, office_id: int, here: bool = False) -> Office | None:
    """The office with this id (any, operating or not) with its queue settings (or their
    absence), as `screen_office` reads it, or None; from the shared registry cache. The
    push server's board requests name the office by id, and `devices_still_allowed` asks
    the settings whether the displays must be paired: read with the office, they cost no
    statement (an ORM read of them was about a quarter of that request's CPU, issue 13).
    `here`: kept in the process under the registry's version (`registry_cache.cached_here`):
    the office is then shared by the process's requests, to be read, never changed."""
    read = registry_cache.cached_here if here else registry_cache.cached
    found = read(
        "screen-office-id",
        (office_id,),
        lambda: [*Office.objects.select_related("queue_settings").filter(pk=office_id)[:1]],
    )
    return found[0] if found else None


def create_device_token(*, office: Office, kind: str, name: str) -> str:
    """Create a token and return it (the only time it is seen in clear)."""
    token = new_token(24)
    DeviceToken.objects.create(
        office=office,
        kind=kind,
        name=name,
        token_hash=DeviceToken.hash(token),
        created_at=clock.now(),
    )
    return token


def token_is_valid(*, office: Office, kind: str, token: str) -> bool:
    return DeviceToken.objects.filter(
        office=office, kind=kind, is_active=True, token_hash=DeviceToken.hash(token)
    ).exists()


def device_allowed(request: HttpRequest, *, office: Office, kind: str) -> bool:
    return allowed_device(request, office=office, kind=kind) is not None


NO_PAIRING = 0  # the device id of a screen at an office that needs no pairing


def allowed_device(request: HttpRequest, *, office: Office, kind: str) -> int | None:
    """The request's paired device (its `DeviceToken`'s id) if the office requires pairing
    and the device is paired and active; NO_PAIRING (0) if the office requires none; None if
    the screen may not be shown."""
    if not QueueSettings.for_office(office).require_device_token:
        return NO_PAIRING
    token = request.get_signed_cookie(f"{COOKIE}_{kind}", default="", salt=COOKIE_SALT)
    if not token:
        return None
    return (
        DeviceToken.objects.filter(
            office=office, kind=kind, is_active=True, token_hash=DeviceToken.hash(str(token))
        )
        .values_list("pk", flat=True)
        .first()
    )


def devices_still_allowed(*, office: Office, kind: str, ids: Iterable[int]) -> set[int]:
    """Of the devices `ids` (as `allowed_device` named them when their page was shown), those
    that may still be shown the screen: every one where the office requires no pairing, else
    those still active for this office and kind (a revoked or deleted device, or NO_PAIRING
    once pairing is required, is not). For the push server's board streams (decision 0062)."""
    wanted = set(ids)
    if not QueueSettings.for_office(office).require_device_token:
        return wanted
    return set(
        DeviceToken.objects.filter(
            office=office, kind=kind, is_active=True, pk__in=wanted - {NO_PAIRING}
        ).values_list("pk", flat=True)
    )


def remember_device(response: HttpResponse, *, kind: str, token: str) -> None:
    response.set_signed_cookie(
        f"{COOKIE}_{kind}",
        token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
    )
