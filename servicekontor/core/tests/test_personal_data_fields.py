"""Every text field of every model is classified: personal (with a purge rule) or not.
The libraries' models count too (login attempts, sessions, the admin's log, task results).

A new CharField/TextField/JSONField anywhere in the project fails this test until it is
added to PERSONAL_FIELDS (servicekontor/core/personal_data.py, with its rule) or to
NOT_PERSONAL below.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.db import models

from servicekontor.appointments import services as booking_services
from servicekontor.appointments.models import Booking
from servicekontor.core import clock
from servicekontor.core.personal_data import PERSONAL_FIELDS
from servicekontor.messaging.models import Message
from servicekontor.queueing import services as queue_services
from servicekontor.queueing.models import Errand, Outcome, Visit
from tests.factories import make_offering, make_office, make_service

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)

NOT_PERSONAL = {
    # The libraries' tables: names of permissions, groups and models; a session's key; a
    # background task's bookkeeping; the path and Accept header of a login attempt.
    *(f"auth.Permission.{f}" for f in ("name", "codename")),
    "auth.Group.name",
    *(f"contenttypes.ContentType.{f}" for f in ("app_label", "model")),
    "sessions.Session.session_key",
    "admin.LogEntry.object_id",
    *(
        f"django_tasks_database.DBTaskResult.{f}"
        for f in (
            "status",
            "task_path",
            "worker_ids",
            "queue_name",
            "backend_name",
            "exception_class_path",
        )
    ),
    *(
        f"axes.{m}.{f}"
        for m in ("AccessAttempt", "AccessLog")
        for f in ("http_accept", "path_info")
    ),
    *(f"axes.AccessFailureLog.{f}" for f in ("http_accept", "path_info")),
    # Planning and steering: plans, changes, adopted rows, planning runs and rate notes name
    # offices, places and figures, never a citizen.
    *(
        f"changeplans.{f}"
        for f in (
            "AdoptedRow.action",
            "AdoptedRow.summary",
            "AdoptedRow.table",
            "ChangePlan.description",
            "ChangePlan.name",
            "ChangePlan.status",
            "PlannedChange.hours",
            "PlannedChange.kind",
            "PlannedChange.new_office",
            "PlannedChange.note",
            "PlannedChange.office_codes",
        )
    ),
    "costs.HourlyRate.note",
    *(
        f"planning.PlanRun.{f}"
        for f in (
            "error",
            "matrix_csv",
            "request",
            "sites_csv",
            "stage",
            "status",
            "summary",
        )
    ),
    # The language a citizen chose (sv or en) and the outbox's bookkeeping; the recipient is
    # kept there only masked ("+46…67").
    "appointments.Booking.language",
    # A random key the manage link is derived from (with SECRET_KEY): a secret of the
    # booking, not about the person; and why the office cancelled (closed, not offered, …).
    "appointments.Booking.link_key",
    "appointments.Booking.office_cancel_reason",
    "queueing.Visit.notify_language",
    *(
        f"messaging.Message.{f}"
        for f in ("channel", "dedup_key", "language", "recipient_hint", "status", "topic")
    ),
    # Registry: agencies, services, offices, dates — public facts.
    *(f"catalog.Agency.{f}" for f in ("code", "name_sv", "name_en", "ticket_letter", "website")),
    *(f"catalog.Capability.{f}" for f in ("code", "name_sv", "name_en")),
    *(
        f"catalog.Service.{f}"
        for f in ("code", "name_sv", "name_en", "description_sv", "description_en", "mode")
    ),
    *(f"network.Milestone.{f}" for f in ("code", "name_sv", "name_en", "precision", "source")),
    *(
        f"network.Office.{f}"
        for f in (
            "code",
            "name",
            "municipality",
            "county",
            "street_address",
            "postal_code",
            "postal_town",
            "coordinate_source",
            "geonames_place",
            "opened_precision",
            "closed_precision",
            "source",
            "notes",
        )
    ),
    *(f"network.ReferenceRecord.{f}" for f in ("kind", "key", "fingerprint")),
    "network.ServicePoint.name",
    # Outreach stops and video meetings: kinds, rules, provider room names, who cancelled.
    "network.Office.kind",
    *(f"network.OutreachRule.{f}" for f in ("frequency", "holiday_policy", "team")),
    "appointments.CaseworkerAvailability.source",
    *(f"appointments.VideoMeeting.{f}" for f in ("cancelled_by", "room_name")),
    "network.Offering.source",
    "network.OpeningHoursPeriod.name",
    *(f"network.OpeningException.{f}" for f in ("kind", "reason_sv", "reason_en")),
    # A password hash and a role are not data about a person's life; removed with the account.
    "accounts.User.password",
    "accounts.User.role",
    # Queue: codes and states; the booking reference is the booking code, not a person.
    *(
        f"queueing.Visit.{f}"
        for f in ("ticket_letter", "state", "source", "booking_reference", "outcome")
    ),
    *(f"queueing.VisitEvent.{f}" for f in ("action", "from_state", "to_state", "outcome")),
    "queueing.DeskSession.status",
    *(f"queueing.DeviceToken.{f}" for f in ("kind", "name", "token_hash")),
    # Booking: its status, code and the hash of the manage token (no person in them).
    *(f"appointments.Booking.{f}" for f in ("status", "code", "token_hash")),
    # Planning scenarios: network plans, no person.
    *(f"planning.Scenario.{f}" for f in ("name", "action", "objective", "keep", "summary")),
    # Errand outcome and desk status: codes from a fixed list. (A DeskStatusEvent row is
    # about an officer's working time, a staff record kept with the account's rules; its
    # only text field is the status code.)
    "queueing.Errand.outcome",
    "queueing.DeskStatusEvent.status",
    # Statistics rollups: counts per office × service × day × outcome × language code, no
    # visit and no person in a row.
    *(f"reports.ErrandFigures.{f}" for f in ("outcome", "language")),
    # people's API tokens: a label and a SHA-256 (like queueing.DeviceToken).
    *(f"accounts.ApiToken.{f}" for f in ("name", "token_hash")),
    # Agency API clients: a system's label, a public key id and a SHA-256; the use log holds
    # the method, the path (ids and references, never personal data) and the result.
    "accounts.ApiClient.name",
    *(f"accounts.ApiCredential.{f}" for f in ("key_id", "token_hash")),
    *(f"accounts.ApiClientUse.{f}" for f in ("method", "path", "result")),
    # Costs: money per office, pool and role (a role, never a named person), and the reason
    # of a correction, which is about figures (like network.Office.notes).
    *(
        f"costs.CostPool.{f}"
        for f in ("category", "driver", "name", "note", "office_driver", "source")
    ),
    *(f"costs.SettlementLine.{f}" for f in ("category", "driver", "kind", "pool_name")),
    "costs.HourlyRate.role",
    "costs.StaffHours.role",
    "costs.Correction.reason",
    # Handovers: codes, the citizen's reference (a random code the citizen holds), the agency's
    # endpoint and its errors (no body in them), encrypted signing secrets, message ids.
    *(
        f"handovers.Handover.{f}"
        for f in ("reference", "outcome", "contact_channel", "reference_by", "status")
    ),
    *(f"handovers.Partner.{f}" for f in ("webhook_url", "last_error")),
    "handovers.SigningSecret.secret_encrypted",
    *(f"handovers.Delivery.{f}" for f in ("message_id", "event_type", "last_error", "claim")),
    "handovers.DemoReceipt.message_id",
}


def _project_text_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_personal_data__every_text_field_is_classified() -> None:
    fields = _project_text_fields()
    unclassified = fields - set(PERSONAL_FIELDS) - NOT_PERSONAL
    assert not unclassified, (
        "classify these fields: personal (servicekontor/core/personal_data.py, with a purge "
        f"rule) or not (NOT_PERSONAL here): {sorted(unclassified)}"
    )
    assert not set(PERSONAL_FIELDS) & NOT_PERSONAL
    stale = (set(PERSONAL_FIELDS) | NOT_PERSONAL) - fields
    assert not stale, f"no longer fields of the project: {sorted(stale)}"


@pytest.mark.django_db
def test_personal_data__purge_blanks_every_purged_field_after_n_days(settings) -> None:
    """Each field whose rule is the purge command is blank after it, on a 40-day-old visit."""
    service = make_service(mode="both")
    office = make_office()
    make_offering(office=office, service=service)
    long_ago = clock.local_datetime(dt.date(2026, 10, 21), dt.time(11, 0))
    with time_machine.travel(long_ago, tick=False):
        visit = queue_services.issue_ticket(
            office=office, service=service, notify_contact="070-123 45 67"
        )
    Visit.objects.filter(pk=visit.pk).update(note="Ringer Anna Andersson tillbaka")
    # A message that was never delivered (given up) still holds the address and its text.
    message = Message.objects.create(
        channel="sms",
        topic="queue.turn_near",
        language="sv",
        recipient="+46701234567",
        recipient_hint="+46…67",
        subject="Snart är det din tur",
        body_text="Ditt nummer S-001 ropas snart upp",
        body_html="<p>Ditt nummer</p>",
        attachments=[{"filename": "a.ics", "content": "x", "subtype": "calendar"}],
        status="failed",
        attempts=8,
        last_error="SMTPRecipientsRefused: +46…67",
        created_at=long_ago,
    )
    errand = Errand.objects.create(
        visit=visit,
        position=1,
        service=service,
        outcome=Outcome.RESOLVED,
        interpreter_used=True,
        interpreter_language="ti",
        service_seconds=300,
        recorded_at=long_ago,
    )
    with time_machine.travel(long_ago + dt.timedelta(days=40), tick=False):
        booking_services.purge_personal_data(older_than_days=30)
    visit.refresh_from_db()
    errand.refresh_from_db()
    message.refresh_from_db()
    purged = [label for label, rule in PERSONAL_FIELDS.items() if "purge_personal_data" in rule]
    for label in purged:
        app_model, field = label.rsplit(".", 1)
        if app_model == "queueing.Visit":
            assert getattr(visit, field) == "", label
        elif app_model == "queueing.Errand":
            assert getattr(errand, field) == "", label
        elif app_model == "messaging.Message":
            assert getattr(message, field) in ("", []), label
        else:
            assert app_model == "appointments.Booking", f"{label}: not checked here"
    assert errand.interpreter_used  # the fact stays, only the language goes
    # Bookings: the existing test (test_closures_purge_reminders) checks each field; here
    # only that every purged booking field is one that test covers.
    booking_fields = {
        label.rsplit(".", 1)[1] for label in purged if label.startswith("appointments.Booking.")
    }
    assert booking_fields == {"name", "email", "phone", "identity_hash"}
    assert {f.name for f in Booking._meta.concrete_fields} >= booking_fields
