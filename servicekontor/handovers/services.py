"""Write use cases of handovers: record a handover with the finish (outbox in the same
transaction), the agency's acknowledgement and outcome, signing secrets, and the purge.

Every function here writes in one transaction; the delivery itself (HTTP) is in
`delivery.py`, run after commit by `tasks.py` and by `manage.py deliver_handovers`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.personal_data import holds_identity_number
from servicekontor.handovers import encryption, signing
from servicekontor.handovers.errors import HandoverConflict, HandoverError, HandoverNotFound
from servicekontor.handovers.models import (
    AGENCY_OUTCOMES,
    HANDOVER_OUTCOMES,
    ContactChannel,
    Delivery,
    Handover,
    HandoverStatus,
    Partner,
    ReferenceBy,
    SigningSecret,
)
from servicekontor.handovers.signals import handover_created
from servicekontor.messaging.models import Channel
from servicekontor.messaging.phone import InvalidPhoneNumber, to_e164, to_mobile_e164
from servicekontor.messaging.phone_messages import phone_error
from servicekontor.messaging.services import Content, queue_message
from servicekontor.queueing import services as queue_services
from servicekontor.queueing.errands import ErrandPart
from servicekontor.queueing.models import Errand, Outcome, Visit

# Unambiguous when read aloud or from paper: no 0/O, 1/I/L.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_DOCUMENT_KINDS = 10
MAX_DOCUMENTS = 99
DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class Document:
    kind: str
    count: int


@dataclass(frozen=True)
class HandoverInput:
    """What the officer records for one errand handed over (the desk's handover form)."""

    service: Service  # what the errand is, from the agency's catalogue
    needs: str
    consent: bool
    contact_channel: str
    contact: str = ""  # phone number or e-mail address for those channels
    identity_number: str = ""
    documents: Sequence[Document] = field(default_factory=tuple)
    reference_by: str = ReferenceBy.PRINTED
    reference_to: str = ""  # e-mail address or mobile number, for a reference not printed
    language: str = "sv"  # of the citizen's message


def needs_handover(outcome: str) -> bool:
    return outcome in HANDOVER_OUTCOMES


def identity_needed(service: Service) -> bool:
    """Whether the agency's service needs the citizen's identity number in a handover."""
    return Partner.objects.filter(agency_id=service.agency_id, identity_services=service).exists()


def canonical_reference(raw: str) -> str:
    """A handover reference as people type it (read aloud: any case, stray spaces) → the stored
    form (`H-XXXX-XXXX`, upper case). Not validated: an unknown reference stays unknown."""
    return raw.strip().upper()


def _new_reference() -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"H-{chars[:4]}-{chars[4:]}"


def clean_identity_number(raw: str) -> str:
    """The identity number in its long form (YYYYMMDDNNNN), validated with `personnummer`
    (check digit, date; coordination numbers too). Raises HandoverError (400) without
    echoing the number."""
    try:
        return str(personnummer.parse(raw.strip()).format(True))
    except (personnummer.PersonnummerException, ValueError, TypeError):
        raise HandoverError(
            _("The identity number is not a valid Swedish personal identity number.")
        ) from None


def _clean(
    data: HandoverInput, *, agency_id: int, outcome: str
) -> tuple[str, str, list[dict[str, object]]]:
    """Validated (identity number, contact, documents); raises HandoverError with every
    problem (its message the first, `problems` all of them)."""
    problems: list[tuple[str, str]] = []
    cleaned = _checked(data, agency_id=agency_id, outcome=outcome, problems=problems)
    if problems:
        raise HandoverError(problems[0][1], problems=problems)
    return cleaned


def input_problems(
    data: HandoverInput, *, agency_id: int, outcome: str = ""
) -> list[tuple[str, str]]:
    """Every problem with a handover's input at once, as (form field, message): the desk's
    form shows them all beside their fields (`HandoverForm` field names; documents under
    ``doc1_kind``). Empty when `create_handover` would accept it for an errand with
    `outcome`."""
    problems: list[tuple[str, str]] = []
    _checked(data, agency_id=agency_id, outcome=outcome, problems=problems)
    return problems


def _checked(
    data: HandoverInput, *, agency_id: int, outcome: str, problems: list[tuple[str, str]]
) -> tuple[str, str, list[dict[str, object]]]:
    """The checks, in one place: each problem is appended (field, message), none raised."""

    def problem(field: str, message: object) -> None:
        problems.append((field, str(message)))

    if data.service.agency_id != agency_id:
        problem("service", _("Choose a service of the errand's agency."))
    if not data.consent:
        problem("consent", _("The citizen must consent to the handover."))
    if not data.needs.strip():
        problem("needs", _("Describe what the citizen needs."))
    elif len(data.needs) > 2000:
        problem("needs", _("Keep what the citizen needs under 2000 characters."))
    elif holds_identity_number(data.needs):
        # the identity number travels encrypted, in its own field, and only to agencies
        # whose service needs it; in this text it would go as it is to every agency
        problem(
            "needs",
            _(
                "Leave the identity number out of this text: its own field takes it, "
                "when the service needs it."
            ),
        )
    contact = data.contact.strip()
    if data.contact_channel not in ContactChannel.values:
        problem("contact_channel", _("Choose how the citizen wants to be contacted."))
    elif data.contact_channel == ContactChannel.PHONE:
        if not contact:
            problem("contact", _("Give a phone number to be called on."))
        else:
            try:
                contact = to_e164(contact)  # as the agency's systems dial it
            except InvalidPhoneNumber as exc:
                problem("contact", phone_error(exc))
    elif data.contact_channel == ContactChannel.EMAIL and not _valid_email(contact):
        problem("contact", _("Give a valid e-mail address."))
    if data.contact_channel not in (ContactChannel.PHONE, ContactChannel.EMAIL):
        contact = ""  # mailbox and letter go to what the agency has registered
    if data.reference_by not in ReferenceBy.values:
        problem("reference_by", _("Choose how the citizen gets the reference."))
    elif data.reference_by == ReferenceBy.EMAIL and not _valid_email(data.reference_to.strip()):
        problem("reference_to", _("Give a valid e-mail address."))
    elif data.reference_by == ReferenceBy.SMS:
        if not data.reference_to.strip():
            problem("reference_to", _("Give a mobile number for the SMS."))
        else:
            try:
                to_mobile_e164(data.reference_to)
            except InvalidPhoneNumber as exc:
                problem("reference_to", phone_error(exc))
    if data.language not in dict(settings.LANGUAGES):
        problem("language", _("Choose the language of the message."))
    identity = ""
    if identity_needed(data.service):
        if not data.identity_number.strip():
            problem("identity_number", _("This service needs the citizen's identity number."))
        else:
            try:
                identity = clean_identity_number(data.identity_number)
            except HandoverError as exc:
                problem("identity_number", exc.message)
    elif data.identity_number.strip():
        problem(
            "identity_number", _("This service does not need the identity number: leave it out.")
        )
    documents: list[dict[str, object]] = []
    if len(data.documents) > MAX_DOCUMENT_KINDS:
        problem("doc1_kind", _("At most ten kinds of documents."))
    for doc in data.documents:
        kind = re.sub(r"\s+", " ", doc.kind).strip()
        if not kind or len(kind) > 100:
            problem("doc1_kind", _("Name each kind of document (at most 100 characters)."))
        elif not 1 <= doc.count <= MAX_DOCUMENTS:
            problem("doc1_kind", _("Give each document count as 1–99."))
        else:
            documents.append({"kind": kind, "count": doc.count})
    if outcome == Outcome.DOCUMENTS_FORWARDED and not data.documents:
        # "Documents received and forwarded" with none named: the agency is told papers
        # came but not which (the walk)
        problem("doc1_kind", _("Name the documents received: at least one kind and its count."))
    return identity, contact, documents


def _valid_email(address: str) -> bool:
    try:
        EmailValidator()(address)
    except Exception:
        return False
    return True


def create_handover(*, errand: Errand, data: HandoverInput, officer: User | None) -> Handover:
    """Record the handover of `errand` and, if its agency has an endpoint, its webhook in the
    outbox; both in the caller's transaction (the finish), so a finish that rolls back leaves
    neither. The delivery is enqueued after commit (`signals.handover_created`).

    Raises HandoverError (400) for bad input, before anything is written by this function.
    Lock: none of its own (the caller holds the visit by compare-and-swap or row lock).
    """
    if not needs_handover(errand.outcome):
        raise HandoverError(_("Only errands the agency must pick up are handed over."))
    agency_id = errand.service.agency_id
    identity, contact, documents = _clean(data, agency_id=agency_id, outcome=errand.outcome)
    now = clock.now()
    visit = errand.visit
    reference = _new_reference()
    while Handover.objects.filter(reference=reference).exists():  # 31^8: practically never
        reference = _new_reference()
    handover = Handover.objects.create(
        reference=reference,
        agency_id=agency_id,
        service=data.service,
        office_id=visit.office_id,
        errand=errand,
        outcome=errand.outcome,
        visit_day=visit.local_day,
        created_at=now,
        officer=officer,
        needs=data.needs.strip(),
        documents=documents,
        contact_channel=data.contact_channel,
        contact_encrypted=encryption.encrypt(contact),
        identity_number_encrypted=encryption.encrypt(identity),
        reference_by=data.reference_by,
        consent=True,
    )
    if data.reference_by != ReferenceBy.PRINTED:
        _queue_reference(handover, data)
    partner = Partner.objects.filter(agency_id=agency_id).first()
    delivery_ids: list[int] = []
    if partner is not None and partner.webhook_url:
        delivery = Delivery.objects.create(
            handover=handover,
            partner=partner,
            message_id=f"msg_{uuid.uuid4().hex}",
            created_at=now,
            next_attempt_at=now,
        )
        delivery_ids.append(delivery.pk)
    handover_id = handover.pk
    transaction.on_commit(
        lambda: handover_created.send(
            sender=Handover, handover_id=handover_id, delivery_ids=delivery_ids
        )
    )
    return handover


def _queue_reference(handover: Handover, data: HandoverInput) -> None:
    """The citizen's reference by e-mail or SMS through the messaging outbox, in this
    transaction (sent after commit, retried; the address lives and is purged there)."""
    context = {"handover": handover}
    with translation.override(data.language):
        content = Content(
            subject=_("Your reference %(reference)s") % {"reference": handover.reference},
            text=render_to_string("handovers/messages/reference.txt", context),
            sms_text=render_to_string("handovers/messages/reference_sms.txt", context).strip(),
        )
    queue_message(
        channel=Channel.EMAIL if data.reference_by == ReferenceBy.EMAIL else Channel.SMS,
        recipient=data.reference_to.strip(),
        content=content,
        topic="handover_reference",
        language=data.language,
        object_id=handover.pk,
        dedup_key=f"handover-reference-{handover.pk}",
    )


def _last_position(visit_id: int) -> int:
    return Errand.objects.filter(visit_id=visit_id).aggregate(m=Max("position"))["m"] or 0


@transaction.atomic
def finish_with_handovers(
    *,
    officer: User,
    visit_id: int,
    outcome: str,
    handovers: Sequence[HandoverInput | None],
    note: str = "",
    interpreter_used: bool = False,
    interpreter_language: str = "",
    split: Sequence[ErrandPart] = (),
) -> tuple[Visit, list[Handover]]:
    """Finish the visit (queueing.services.finish_visit) and hand over its last errand(s):
    `handovers[i]` belongs to the i-th errand the finish writes (None: not handed over). One
    transaction: a bad handover rolls the finish back. Lock: as finish_visit (compare-and-swap
    on the visit's state)."""
    before = _last_position(visit_id)
    visit = queue_services.finish_visit(
        officer=officer,
        visit_id=visit_id,
        outcome=outcome,
        note=note,
        interpreter_used=interpreter_used,
        interpreter_language=interpreter_language,
        split=split,
    )
    errands = list(
        Errand.objects.filter(visit_id=visit.pk, position__gt=before)
        .select_related("service", "visit")
        .order_by("position")
    )
    return visit, _hand_over(errands, handovers, officer)


def _hand_over(
    errands: Sequence[Errand], handovers: Sequence[HandoverInput | None], officer: User
) -> list[Handover]:
    made = []
    for i, errand in enumerate(errands):
        data = handovers[i] if i < len(handovers) else None
        if needs_handover(errand.outcome):
            if data is None:
                raise HandoverError(_("Fill in the handover to the agency."))
            made.append(create_handover(errand=errand, data=data, officer=officer))
    return made


@transaction.atomic
def record_errand_with_handover(
    *,
    officer: User,
    visit_id: int,
    service: Service,
    outcome: str,
    handover: HandoverInput | None,
    interpreter_used: bool = False,
    interpreter_language: str = "",
) -> tuple[Errand, list[Handover]]:
    """The officer turns to the next errand (queueing.services.record_errand) after one the
    agency must pick up. Lock: the visit's row, as record_errand."""
    errand = queue_services.record_errand(
        officer=officer,
        visit_id=visit_id,
        service=service,
        outcome=outcome,
        interpreter_used=interpreter_used,
        interpreter_language=interpreter_language,
    )
    return errand, _hand_over([errand], [handover], officer)


def _locked(*, agency_id: int, reference: str) -> Handover:
    found = Handover.objects.select_for_update().filter(
        agency_id=agency_id, reference=canonical_reference(reference)
    )
    handover = found.first()
    if handover is None:
        raise HandoverNotFound()
    return handover


@transaction.atomic
def acknowledge_handover(*, agency_id: int, reference: str, case_number: str) -> Handover:
    """The agency has taken the errand up as case `case_number`. Repeating the same
    acknowledgement is a no-op (the agency's system may retry); another case number is a
    conflict (409). Lock: the handover's row."""
    case_number = case_number.strip()
    if not case_number or len(case_number) > 40:
        raise HandoverError(_("Give the agency's case number (at most 40 characters)."))
    handover = _locked(agency_id=agency_id, reference=reference)
    if handover.acknowledged_at is not None:
        if handover.case_number == case_number or handover.purged_at is not None:
            return handover
        raise HandoverConflict(_("Already acknowledged with another case number."))
    handover.status = HandoverStatus.ACKNOWLEDGED
    handover.case_number = case_number
    handover.acknowledged_at = clock.now()
    handover.save(update_fields=["status", "case_number", "acknowledged_at"])
    return handover


@transaction.atomic
def record_agency_outcome(*, agency_id: int, reference: str, outcome: str) -> Handover:
    """The agency's outcome: handled, or it needs the citizen again (a repeat contact in the
    statistics). Needs an acknowledgement first (409); the same outcome again is a no-op,
    another one a conflict (409). Lock: the handover's row."""
    if outcome not in AGENCY_OUTCOMES:
        raise HandoverError(_("The outcome is 'handled' or 'needs_citizen'."))
    handover = _locked(agency_id=agency_id, reference=reference)
    if handover.acknowledged_at is None:
        raise HandoverConflict(_("Acknowledge the handover with a case number first."))
    if handover.status == outcome:
        return handover
    if handover.status != HandoverStatus.ACKNOWLEDGED:
        raise HandoverConflict(_("The handover already has another outcome."))
    handover.status = outcome
    handover.outcome_at = clock.now()
    handover.save(update_fields=["status", "outcome_at"])
    return handover


# --- partners and signing secrets --------------------------------------------------------


@transaction.atomic
def add_signing_secret(*, partner: Partner) -> str:
    """A new signing secret; the older active ones keep signing too until retired, so the
    agency can switch its verifier without a gap. Returns the secret (show it once)."""
    secret = signing.new_secret()
    SigningSecret.objects.create(
        partner=partner, secret_encrypted=encryption.encrypt(secret), created_at=clock.now()
    )
    return secret


@transaction.atomic
def retire_older_secrets(*, partner: Partner) -> int:
    """After the agency switched: every active secret but the newest stops signing."""
    active = SigningSecret.objects.filter(partner=partner, retired_at__isnull=True)
    newest = active.order_by("-created_at", "-pk").first()
    if newest is None:
        return 0
    return active.exclude(pk=newest.pk).update(retired_at=clock.now())


def active_secrets(partner_id: int) -> list[str]:
    rows = SigningSecret.objects.filter(partner_id=partner_id, retired_at__isnull=True).order_by(
        "created_at", "pk"
    )
    return [encryption.decrypt(s.secret_encrypted) for s in rows]


# --- retention ---------------------------------------------------------------------------

PERSONAL_BLANK = {
    "needs": "",
    "documents": [],
    "contact_encrypted": "",
    "identity_number_encrypted": "",
    "case_number": "",
}


def purge_handovers(*, now: dt.datetime | None = None) -> int:
    """Blank the personal data of handovers acknowledged more than their agency's
    `retention_days` ago (30 for an agency without partner settings); the handover's facts
    (agency, service, office, day, status, times) stay for the statistics. Returns how many
    were purged. Lock: the rows updated (one UPDATE per agency); idempotent."""
    now = now or clock.now()
    retention = dict(Partner.objects.values_list("agency_id", "retention_days"))
    purged = 0
    agency_ids = (
        Handover.objects.filter(purged_at__isnull=True, acknowledged_at__isnull=False)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    for agency_id in list(agency_ids):
        days = retention.get(agency_id, DEFAULT_RETENTION_DAYS)
        with transaction.atomic():
            purged += Handover.objects.filter(
                agency_id=agency_id,
                purged_at__isnull=True,
                acknowledged_at__lte=now - dt.timedelta(days=days),
            ).update(purged_at=now, **PERSONAL_BLANK)
    return purged


def ensure_partner(*, agency: Agency) -> Partner:
    partner, _created = Partner.objects.get_or_create(agency=agency)
    return partner
