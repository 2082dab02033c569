"""Telling a waiting citizen that their turn is near, by e-mail or SMS.

The backend is chosen by the setting `QUEUE_NOTIFICATION_BACKEND` (a dotted path); the
default sends e-mail through Django's mail (the console in development) and writes SMS to the
console. An SMS gateway plugs in by implementing `NotificationBackend.send`.
The contact is personal data: it is never logged in full and is cleared when the visit is
called or ends.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from servicekontor.core import clock
from servicekontor.queueing import sql
from servicekontor.queueing.models import QueueSettings, Visit, VisitState
from servicekontor.queueing.queries import in_call_order

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "servicekontor.queueing.notifications.MailOrConsoleBackend"


class NotificationBackend(Protocol):
    def send(self, *, to: str, message: str) -> None: ...


def mask(contact: str) -> str:
    """Enough to tell two contacts apart in a log, not enough to reach anyone."""
    return f"{contact[:2]}…{contact[-2:]}" if len(contact) > 6 else "…"


def is_email(contact: str) -> bool:
    return "@" in contact


class ConsoleBackend:
    """Development: print the message with a masked recipient."""

    def send(self, *, to: str, message: str) -> None:
        print(f"[queue notification to {mask(to)}] {message}")


class MailOrConsoleBackend:
    """E-mail addresses get mail; phone numbers go to the console until a gateway is set up."""

    def send(self, *, to: str, message: str) -> None:
        if is_email(to):
            send_mail(
                subject=_("Your turn is near"),
                message=message,
                from_email=None,
                recipient_list=[to],
            )
        else:
            ConsoleBackend().send(to=to, message=message)


class MemoryBackend:
    """Tests: remember what would have been sent."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, to: str, message: str) -> None:
        MemoryBackend.outbox.append((to, message))


def get_backend() -> NotificationBackend:
    path = getattr(settings, "QUEUE_NOTIFICATION_BACKEND", DEFAULT_BACKEND)
    backend: NotificationBackend = import_string(path)()
    return backend


def notify_near_visits(*, office_id: int) -> int:
    """Notify every waiting visit among the first few in line that asked to be told.

    Each visit is claimed by compare-and-swap on `notified_at`, so two workers running this
    at once send one message per visit. Returns how many were sent.
    """
    if not sql.anyone_waiting_with_contact(office_id=office_id):
        return 0
    waiting = Visit.objects.filter(office_id=office_id, state=VisitState.WAITING)
    visit = waiting.select_related("office").first()
    if visit is None:
        return 0
    rules = QueueSettings.for_office(visit.office)
    now = clock.now()
    front = in_call_order(
        Visit.objects.filter(office_id=office_id, state=VisitState.WAITING), now=now
    ).select_related("office")[: rules.notify_when_ahead + 1]
    backend = get_backend()
    sent = 0
    for candidate in front:
        if not candidate.notify_contact or candidate.notified_at is not None:
            continue
        claimed = Visit.objects.filter(pk=candidate.pk, notified_at__isnull=True).update(
            notified_at=now
        )
        if claimed != 1:
            continue
        message = _("Your number %(ticket)s will soon be called at %(office)s.") % {
            "ticket": candidate.ticket,
            "office": candidate.office.name,
        }
        try:
            backend.send(to=candidate.notify_contact, message=message)
        except Exception:  # a failing gateway must not break the queue
            logger.exception("queue notification failed for visit %s", candidate.pk)
            continue
        sent += 1
    return sent
