"""Purging old visits: the raw log is kept for reconciliation and audit, then removed by
period (decision 0014). The statistics' rollups are not touched: they are the record of the
purged years."""

import datetime as dt

from django.db import transaction

from servicekontor.queueing.models import DeskStatusEvent, Visit


def purge_visits_before(*, before: dt.date, batch: int = 10_000) -> int:
    """Delete visits of local days before `before` (their events and errands cascade), and
    desk-status rows from before that day, in batches of `batch` visits, each batch its own
    transaction; returns how many visits were deleted.

    Lock: the rows of each batch (a plain DELETE); open visits are not touched (only visits
    in a terminal state are old enough to purge).
    """
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                Visit.objects.filter(
                    local_day__lt=before, state__in=("finished", "no_show", "not_served")
                ).values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            Visit.objects.filter(pk__in=ids).delete()
            deleted += len(ids)
    first = dt.datetime.combine(before, dt.time(), dt.UTC)
    DeskStatusEvent.objects.filter(at__lt=first).delete()
    return deleted
