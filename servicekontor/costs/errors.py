"""What can go wrong with costs and settlements, and the HTTP status of each (see core.errors)."""

from django.utils.translation import gettext_lazy as _

from servicekontor.core.errors import DomainError


class CostError(DomainError):
    pass


class NotFirstOfMonth(CostError):
    default_message = _("Give the month as its first day, e.g. 2025-03-01.")


class AlreadySettled(CostError):
    """The month was settled (possibly a moment ago by someone else)."""

    http_status = 409
    default_message = _(
        "This month is already settled and frozen. Enter a correction instead; it is booked "
        "into the next open month."
    )


class MonthNotOver(CostError):
    """The month has not ended yet (the current month or a later one): its usage and costs
    are not complete, and a settlement cannot be undone."""

    default_message = _(
        "This month has not ended yet; a month can be settled from the first day of the next."
    )


class NothingToSettle(CostError):
    """The month has no cost pools (and no adjustments booked into it)."""

    default_message = _(
        "This month has no cost pools; enter or import its pools first, then settle it."
    )


class EarlierMonthOpen(CostError):
    """An earlier month with pools (or adjustments) is not settled: months are settled in
    order, so that corrections and the report's periods never skip an open month."""

    def __init__(self, months: list[str]) -> None:
        super().__init__(
            _(
                "Settle %(months)s first: months are settled in order, and a settlement "
                "cannot be undone."
            )
            % {"months": ", ".join(months)}
        )


class NotSettled(CostError):
    http_status = 409
    default_message = _("This month is not settled yet; change its pools directly.")


class CannotAllocate(CostError):
    """A pool with money has nothing to share by (allocation.AllocationError)."""

    http_status = 409


class BadInput(CostError):
    """A value the use case cannot take (the message says which and what to do)."""


class NothingToCorrect(CostError):
    default_message = _("The recomputed month equals what was charged; nothing to correct.")


class MissingRate(CostError):
    pass


class PartialUsageNotAccepted(CostError):
    """The month's usage is partial or still running (`reports.coverage.usage_gaps`) and
    settling the whole pools by it was not accepted (decision 0096): the page's tick, the
    command's ``--accept-partial``. `gaps`: what the usage is missing, in words."""

    default_message = _(
        "The month's usage is partial or still running: the whole pools would be shared by "
        "it. Accept that explicitly to settle, or lower the month's pools first."
    )

    def __init__(self, gaps: list[str]) -> None:
        super().__init__()
        self.gaps = gaps
