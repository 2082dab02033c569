"""Every field that can hold personal data, and the rule that removes it.

Kept as plain labels ("app.Model.field") so that core imports no app. The test
servicekontor/core/tests/test_personal_data_fields.py walks every text field of every model
of the project: each must be listed here (personal, with its rule) or in NOT_PERSONAL there,
so a new field cannot be forgotten.
"""

from __future__ import annotations

import re

from personnummer import personnummer

PURGE_AFTER_DAYS = "blanked N days after the visit day by appointments.services.purge_personal_data"

PURGE_AFTER_ACKNOWLEDGEMENT = (
    "blanked N days after the agency acknowledged by handovers.services.purge_handovers"
)

LOG_RETENTION = "deleted N days after it was written by accounts.log_retention.purge_logs"

PERSONAL_FIELDS: dict[str, str] = {
    # Logs of who came in and what ran (addresses, user names, user agents, sessions, the
    # arguments of background tasks, the names in the admin's change log): the libraries'
    # tables too, not only ours.
    **{
        f"axes.{model}.{f}": LOG_RETENTION
        for model, fields in (
            ("AccessAttempt", ("user_agent", "ip_address", "username", "get_data", "post_data")),
            ("AccessLog", ("user_agent", "ip_address", "username", "session_hash")),
            ("AccessFailureLog", ("user_agent", "ip_address", "username")),
        )
        for f in fields
    },
    **{f"admin.LogEntry.{f}": LOG_RETENTION for f in ("object_repr", "change_message")},
    "sessions.Session.session_data": "deleted when the session expires (purge_logs)",
    **{
        f"django_tasks_database.DBTaskResult.{f}": LOG_RETENTION
        for f in ("args_kwargs", "return_value", "traceback")
    },
    # Citizens who booked.
    "appointments.Booking.name": PURGE_AFTER_DAYS,
    "appointments.Booking.email": PURGE_AFTER_DAYS,
    "appointments.Booking.phone": PURGE_AFTER_DAYS,
    "appointments.Booking.identity_hash": PURGE_AFTER_DAYS,
    # Citizens in the queue: the contact is blanked when the visit ends (queueing.services) and
    # in any case N days after arrival; the officer's note is free text and may name someone.
    "queueing.Visit.notify_contact": PURGE_AFTER_DAYS,
    "queueing.Visit.note": PURGE_AFTER_DAYS,
    # The language an interpreter was needed in points to a person's origin (GDPR art. 9
    # territory) while the errand can be tied to the visit's contact or booking; the rollup
    # reports.ErrandFigures keeps only counts per language, so the statistics stay.
    "queueing.Errand.interpreter_language": PURGE_AFTER_DAYS,
    # Handovers to agencies (issue 19): blanked a set time after the agency acknowledged
    # (per agency, handovers.Partner.retention_days). The identity number and contacts are
    # encrypted at rest; the demo receiver's copy is the demo agency's own (make run only).
    **{
        f"handovers.Handover.{f}": PURGE_AFTER_ACKNOWLEDGEMENT
        for f in (
            "needs",
            "documents",
            "contact_encrypted",
            "identity_number_encrypted",
            "case_number",
        )
    },
    "handovers.DemoReceipt.body_encrypted": "demo only: deleted with the demo database",
    # The outbox: blanked when the message is sent (messaging.services.deliver); one never
    # sent (given up) is blanked with the bookings (purge_messages from the purge).
    "messaging.Message.recipient": PURGE_AFTER_DAYS,
    "messaging.Message.subject": PURGE_AFTER_DAYS,
    "messaging.Message.body_text": PURGE_AFTER_DAYS,
    "messaging.Message.body_html": PURGE_AFTER_DAYS,
    "messaging.Message.attachments": PURGE_AFTER_DAYS,
    "messaging.Message.last_error": PURGE_AFTER_DAYS,
    # Agencies' caseworkers who take video meetings (their work identity, published by the
    # agency): kept while they take meetings; removed with the caseworker (admin), which the
    # agency's API cannot do, so the network administrator does it when the agency asks.
    **{
        f"appointments.Caseworker.{f}": "deleted with the caseworker (admin)"
        for f in ("display_name", "email", "external_id", "calendar_url")
    },
    # Staff accounts: kept while the person works here; removed with the account (admin).
    "accounts.User.username": "deleted with the staff account",
    "accounts.User.first_name": "deleted with the staff account",
    "accounts.User.last_name": "deleted with the staff account",
    "accounts.User.email": "deleted with the staff account",
}


# Ten or twelve digits, the last four after an optional "-", "+" or space, not inside a longer
# run of digits (a case number, a phone number written without spaces is checked as it is).
_IDENTITY_NUMBER_LIKE = re.compile(r"(?<![\d-])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![\d-])")


def holds_identity_number(text: str) -> bool:
    """Whether free text holds a Swedish personal identity or coordination number, as the
    `personnummer` library accepts one (a real date and check digit): a text the page says
    must carry no personal data refuses it (the walk: "Ring 19121212-1212 imorgon" was
    stored as the officer's note of a visit)."""
    return any(
        personnummer.valid(m.group(0).replace(" ", "-"))
        for m in _IDENTITY_NUMBER_LIKE.finditer(text)
    )
