from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicekontor.core.errors import DomainError


class HandoverError(DomainError):
    """Bad handover input (400); nothing is written."""

    http_status = 400
    default_message = _("The handover could not be recorded.")

    def __init__(
        self, message: str | Promise | None = None, *, problems: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems or []  # (form field, message), every problem found


class HandoverConflict(DomainError):
    """The agency's acknowledgement or outcome contradicts what it said before (409)."""

    http_status = 409
    default_message = _("The handover is in another state.")


class HandoverNotFound(DomainError):
    http_status = 404
    default_message = _("No such handover.")
