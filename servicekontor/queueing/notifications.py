"""Telling a waiting citizen that their turn is near, by e-mail or SMS, in their language.

The message goes through the outbox (`servicekontor.messaging`): mail through Django's mail
backend, SMS through `SMS_BACKEND` (the console in development, 46elks in production); a
refusal is retried with backoff and shown to the network administrator. It is written in
the language of the kiosk when the ticket was taken (`Visit.notify_language`).
The contact is personal data: it is never logged in full and is cleared when the visit is
called or ends.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from servicekontor.core import clock
from servicekontor.messaging.services import Content, channel_for, deliver, mask, queue_message
from servicekontor.network.models import Office
from servicekontor.queueing import sql
from servicekontor.queueing.models import QueueSettings, Visit

logger = logging.getLogger(__name__)

TOPIC_TURN_NEAR = "queue.turn_near"
# A "your turn is near" message that could not go out within this time is no use any more.
TURN_NEAR_USEFUL_FOR = dt.timedelta(minutes=30)

__all__ = ["TOPIC_TURN_NEAR", "is_email", "mask", "notify_near_visits"]


def is_email(contact: str) -> bool:
    return "@" in contact


def _content(visit: Visit) -> Content:
    with translation.override(visit.notify_language or settings.LANGUAGE_CODE):
        text = _("Your number %(ticket)s will soon be called at %(office)s.") % {
            "ticket": visit.ticket,
            "office": visit.office.name,
        }
        return Content(subject=str(_("Your turn is near")), text=text, sms_text=text)


def notify_near_visits(*, office_id: int) -> int:
    """Notify every waiting visit that asked to be told once at most `notify_when_ahead` are
    before it in line: its place in line as its ticket page shows it (`sql.waiting_to_tell`,
    `sql.AHEAD_OF_T`: the visits competing for the desks that can serve it).

    Each visit is claimed by compare-and-swap on `notified_at`, so two workers running this
    at once send one message per visit; the claim and the outbox row commit together, so a
    worker that dies in between leaves neither and a second run tells the visit (decision
    0044). The message is queued in the outbox and sent at once; a refusal is retried
    there. One visit that fails never stops the others. Returns how many were sent now.
    """
    if not sql.anyone_waiting_with_contact(office_id=office_id):
        return 0
    office = Office.objects.select_related("queue_settings").filter(pk=office_id).first()
    if office is None:
        return 0
    rules = QueueSettings.for_office(office)
    now = clock.now()
    near = [
        pk
        for pk, ahead in sql.waiting_to_tell(office_id=office_id, now=now)
        if ahead <= rules.notify_when_ahead
    ]
    if not near:
        return 0
    front = Visit.objects.filter(pk__in=near).select_related("office").order_by("pk")
    sent = 0
    for candidate in front:
        if not candidate.notify_contact or candidate.notified_at is not None:
            continue
        target = channel_for(
            email=candidate.notify_contact if is_email(candidate.notify_contact) else "",
            phone="" if is_email(candidate.notify_contact) else candidate.notify_contact,
        )
        try:
            with transaction.atomic():
                claimed = Visit.objects.filter(pk=candidate.pk, notified_at__isnull=True).update(
                    notified_at=now
                )
                if claimed != 1 or target is None:
                    continue
                message = queue_message(
                    channel=target[0],
                    recipient=target[1],
                    content=_content(candidate),
                    topic=TOPIC_TURN_NEAR,
                    language=candidate.notify_language or settings.LANGUAGE_CODE,
                    object_id=candidate.pk,
                    dedup_key=f"{TOPIC_TURN_NEAR}:{candidate.pk}",
                    expires_at=now + TURN_NEAR_USEFUL_FOR,
                    deliver_after_commit=False,
                )
        except Exception:  # the queue must go on whatever happens to one message
            logger.exception("queue notification for visit %s could not be queued", candidate.pk)
            continue
        if message is not None and deliver(message_id=message.pk):
            sent += 1
    return sent
