"""Handover pages: the agency's list (its analysts: only that agency, no personal data),
the network administrator's view of every partner's deliveries (failing endpoints first),
and the built-in demo receiver (`make run` only) that plays one agency's inbox."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import is_network_admin, may_see_agency_data
from servicekontor.catalog.models import Agency
from servicekontor.core import clock
from servicekontor.core.errors import DomainError
from servicekontor.core.params import parse_id
from servicekontor.handovers import encryption, services
from servicekontor.handovers.models import (
    ContactChannel,
    DemoReceipt,
    Handover,
    HandoverStatus,
    Partner,
)
from servicekontor.handovers.queries import (
    handover_state_words,
    handovers_of_agencies,
    partner_delivery_state,
    with_delivery_state,
)

PAGE = 200


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _visible_agencies(user: User) -> list[Agency]:
    """Network administrators: every agency; an agency analyst: theirs; others: 403."""
    if not may_see_agency_data(user):
        raise PermissionDenied(_("Handovers are for network administrators and agency analysts."))
    if is_network_admin(user):
        return list(Agency.objects.order_by("name_sv"))
    assert user.analyst_agency_id is not None  # may_see_agency_data: an analyst with an agency
    return [Agency.objects.get(pk=user.analyst_agency_id)]


@login_required
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    """An agency's handovers: reference, errand, office, day, status, case number. No
    personal data on this page (that goes to the agency's system only)."""
    user = _user(request)
    agencies = _visible_agencies(user)
    # Who sees several agencies opens on all of them (the newest handover first, whichever
    # agency it went to); one agency's analyst on theirs.
    code = request.GET.get("agency") or (agencies[0].code if len(agencies) == 1 else "")
    agency = next((a for a in agencies if a.code == code), None)
    if code and agency is None:
        if Agency.objects.filter(code=code).exists():
            raise PermissionDenied
        raise Http404
    status = request.GET.get("status", "")
    shown = [agency.pk] if agency is not None else [a.pk for a in agencies]
    handovers = with_delivery_state(handovers_of_agencies(shown)).order_by("-created_at", "-pk")
    if status:
        if status not in HandoverStatus.values:
            return render(
                request,
                "handovers/list.html",
                {"error": "status", "agencies": agencies, "agency": agency},
                status=400,
            )
        handovers = handovers.filter(status=status)
    context: dict[str, Any] = {
        "agencies": agencies,
        "agency": agency,
        "status": status,
        "statuses": HandoverStatus.choices,
        "handovers": [(h, handover_state_words(h)) for h in handovers[:PAGE]],
        "partners": list(partner_delivery_state()) if is_network_admin(user) else None,
    }
    return render(request, "handovers/list.html", context)


#: How every webhook delivery is signed (`signing`, the `standardwebhooks` library).
SIGNATURE_ALGORITHM = "HMAC-SHA256 (Standard Webhooks v1)"


@login_required
@require_GET
def handover_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One handover (walk F18): what was handed over, its signature — the algorithm, the
    signing keys (the partner's secrets active when it was signed), when — and its receipt:
    each delivery to the agency's system (attempts, answer, delivered at) and the agency's
    confirmation (status, time, case number). The list's permissions: a network
    administrator any handover, an agency analyst their agency's (403 for another's); no
    personal data, as on the list.

    References are read aloud and typed (walk F5): any case and surrounding spaces lead to the
    canonical (upper-case) address by a permanent redirect."""
    canonical = services.canonical_reference(reference)
    if canonical != reference:
        return HttpResponsePermanentRedirect(reverse("handovers:detail", args=[canonical]))
    user = _user(request)
    agencies = _visible_agencies(user)
    handover = get_object_or_404(
        with_delivery_state(
            Handover.objects.select_related("agency", "service", "office", "officer")
        ),
        reference=reference,
    )
    if handover.agency_id not in {a.pk for a in agencies}:
        raise PermissionDenied(_("This handover went to another agency."))
    deliveries = list(handover.deliveries.select_related("partner").order_by("created_at", "pk"))
    partner = Partner.objects.filter(agency_id=handover.agency_id).first()
    keys = list(partner.secrets.order_by("created_at", "pk")) if partner is not None else []
    rows = []
    for d in deliveries:
        # signed at each attempt with every secret active then; the attempt that was accepted
        # is the delivery's time (the signature's timestamp is that second)
        at = d.delivered_at
        used = [
            k
            for k in keys
            if at is not None and k.created_at <= at and (k.retired_at is None or k.retired_at > at)
        ]
        rows.append({"delivery": d, "keys": used})
    return render(
        request,
        "handovers/detail.html",
        {
            "handover": handover,
            "state": handover_state_words(handover),
            "deliveries": rows,
            "algorithm": SIGNATURE_ALGORITHM,
            "polls": partner is None or not partner.webhook_url,
        },
    )


# --- the demo receiver (make run) ---------------------------------------------------------


def _demo_agency(agency_code: str) -> Agency:
    if not settings.DEMO:
        raise Http404
    return get_object_or_404(Agency, code=agency_code)


@csrf_exempt
@require_POST
def demo_receiver_hook(request: HttpRequest, agency_code: str) -> HttpResponse:
    """The agency's webhook endpoint, as its system would implement it: verify the signature
    with the library (any of the secrets it holds), drop a repeated `webhook-id`, store."""
    agency = _demo_agency(agency_code)
    partner = get_object_or_404(Partner, agency=agency)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        body = request.body.decode()
    except UnicodeDecodeError:  # was a 500
        return JsonResponse({"detail": _("The body is not UTF-8 text.")}, status=400)
    for secret in services.active_secrets(partner.pk):
        try:
            Webhook(secret).verify(body, headers)
            break
        except WebhookVerificationError:
            continue
    else:  # was a bare 400: the sender could not tell why
        detail = _("The signature does not verify with any of the agency's secrets.")
        return JsonResponse({"detail": detail}, status=400)
    message_id = headers["webhook-id"]
    try:
        with transaction.atomic():
            DemoReceipt.objects.create(
                message_id=message_id,
                agency=agency,
                received_at=clock.now(),
                body_encrypted=encryption.encrypt(body),
            )
    except IntegrityError:  # seen before: acknowledge again, keep one copy
        DemoReceipt.objects.filter(message_id=message_id).update(
            times_received=F("times_received") + 1
        )
    return HttpResponse(status=204)


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of `value` in `choices` (translated), or the value itself if unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@login_required
@require_http_methods(["GET", "POST"])
def demo_receiver(request: HttpRequest, agency_code: str) -> HttpResponse:
    """The demo agency's inbox: what its endpoint received, and its caseworker's two answers
    (acknowledge with a case number, then an outcome), through the same use cases as the
    partner API."""
    agency = _demo_agency(agency_code)
    error = None
    if request.method == "POST":
        reference = request.POST.get("reference", "")
        try:
            if request.POST.get("do") == "acknowledge":
                number = parse_id(request.POST.get("number")) or 0
                services.acknowledge_handover(
                    agency_id=agency.pk,
                    reference=reference,
                    case_number=f"{agency.code[:3].upper()}-{clock.local_today():%Y}-{number:05d}",
                )
            else:
                services.record_agency_outcome(
                    agency_id=agency.pk, reference=reference, outcome=request.POST.get("do", "")
                )
        except DomainError as exc:
            error = exc.message
        else:
            url = reverse("handovers:demo_receiver", kwargs={"agency_code": agency.code})
            return HttpResponseRedirect(url, status=303)
    receipts = list(DemoReceipt.objects.filter(agency=agency).order_by("-received_at")[:50])
    received = []
    states = dict(Handover.objects.filter(agency=agency).values_list("reference", "status"))
    for i, receipt in enumerate(receipts):
        payload = json.loads(encryption.decrypt(receipt.body_encrypted))
        data = payload["data"]
        status = states.get(data["reference"], "")
        channel = (data.get("contact") or {}).get("channel", "")
        identity = str(data.get("identity_number") or "")
        received.append(
            {
                "receipt": receipt,
                "data": data,
                "status": status,
                # Words, not the payload's codes, on the page (walk F9/F18: "digital_mailbox",
                # "sent" on a Swedish page; the number as it is written, with its hyphen).
                "status_label": _choice_label(HandoverStatus, status),
                "channel_label": _choice_label(ContactChannel, channel),
                "identity": f"{identity[:8]}-{identity[8:]}"
                if len(identity) == 12 and identity.isdigit()
                else identity,
                "number": len(receipts) - i,
            }
        )
    # not `messages`: base.html shows Django's messages under that name
    context = {"agency": agency, "received": received, "error": error}
    return render(request, "handovers/demo_receiver.html", context, status=400 if error else 200)
