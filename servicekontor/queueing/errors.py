"""What can go wrong in the queue, and the HTTP status each failure maps to (see core.errors)."""

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicekontor.core.errors import DomainError
from servicekontor.core.i18n import when_words


class QueueError(DomainError):
    pass


class EmptyQueue(QueueError):
    """Call next, but nobody is waiting for what this officer and desk can serve."""

    http_status = 409
    default_message = _("Nobody is waiting for a service you can take at this desk.")


class InvalidTransition(QueueError):
    """The visit is not in a state that allows this (or someone else changed it first)."""

    http_status = 409
    default_message = _("The visit has changed meanwhile; reload and try again.")


class NotOffered(QueueError):
    """The office does not offer that service (today, or for walk-in)."""

    http_status = 400
    default_message = _("This office does not offer that service today.")


class NotAllowed(QueueError):
    """The officer may not act here (office not assigned, no competence, not their visit)."""

    http_status = 403
    default_message = _("You may not do that at this office.")


class OfficeClosed(QueueError):
    """No ticket outside an open interval of the office (closed day, before opening, after
    closing, a public holiday); says when the office opens next."""

    http_status = 409
    default_message = _("The office is closed now, and no opening is planned.")

    def __init__(self, *, next_opening: dt.datetime | None) -> None:
        self.next_opening = next_opening
        if next_opening is None:
            super().__init__()
        else:
            super().__init__(
                gettext("The office is closed now. It opens %(when)s.")
                % {"when": when_words(next_opening)}
            )


class InvalidNote(QueueError):
    """The officer's note of a visit: too long, or holding a personal identity number."""

    http_status = 400
    default_message = _("Keep the note short and without personal data.")
