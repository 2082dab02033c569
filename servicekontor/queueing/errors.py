"""What can go wrong in the queue, and the HTTP status each failure maps to.

Services raise these *before* writing anything (or inside the transaction, which then rolls
back), so a failed request never leaves a half-made change. Views map `http_status` to the
response; they never answer 200 with an error.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class QueueError(Exception):
    http_status = 400
    default_message: str | Promise = _("The request could not be carried out.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


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
