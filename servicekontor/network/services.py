"""Write use cases of the registry."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from servicekontor.catalog.models import Service
from servicekontor.network import change_impact, registry_cache
from servicekontor.network.models import Milestone, Offering, Office

OVERLAP_MESSAGE = "This office already offers this service in part of that period."


@transaction.atomic
def add_offering(
    *,
    office: Office,
    service: Service,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    source: str = "",
) -> Offering:
    """Start offering a service at an office for a period.

    Locks the office row so two administrators adding offerings at once are serialised; the
    database constraint (exclusion on PostgreSQL, trigger on SQLite) is the last word.
    """
    Office.objects.select_for_update().get(pk=office.pk)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The last day cannot be before the first day."))
    if not office.is_operating_on(valid_from):
        raise ValidationError(_("The office is not operating on the first day of the offering."))
    offering = Offering(
        office=office, service=service, valid_from=valid_from, valid_to=valid_to, source=source
    )
    offering.full_clean()
    try:
        with transaction.atomic():
            offering.save()
    except IntegrityError as exc:
        raise ValidationError(_(OVERLAP_MESSAGE)) from exc
    return offering


@transaction.atomic
def end_offering(*, offering: Offering, last_day: dt.date) -> Offering:
    """Stop offering from the day after `last_day`; history is kept. Locks the offering row."""
    locked = Offering.objects.select_for_update().get(pk=offering.pk)
    if last_day < locked.valid_from:
        raise ValidationError(_("The last day cannot be before the first day."))
    locked.valid_to = last_day
    locked.save(update_fields=["valid_to"])
    return locked


@transaction.atomic
def move_milestone(
    *, milestone: Milestone, new_date: dt.date, apply_capacity_loss: bool = True
) -> int:
    """Move a dated decision and everything that follows it; returns the rows moved.

    This is the "one edit" for a moved go-live: offices opened or closed with the milestone and
    offerings starting or ending with it all move together, in one transaction. Locks the
    milestone row so two moves of the same milestone cannot interleave.
    """
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    # Offerings ending with the milestone end the day before it. Move the ends first when the
    # date moves earlier and the starts first when it moves later, so that two consecutive
    # offerings never overlap half-way.
    ending = Offering.objects.filter(ends_with=locked)
    starting = Offering.objects.filter(starts_with=locked)
    new_last_day = new_date - dt.timedelta(days=1)
    moved = 0
    try:
        with transaction.atomic():
            moved += Office.objects.filter(opened_with=locked).update(opened_on=new_date)
            moved += Office.objects.filter(closed_with=locked).update(closed_on=new_date)
            if new_date < locked.date:
                moved += ending.update(valid_to=new_last_day)
                moved += starting.update(valid_from=new_date)
            else:
                moved += starting.update(valid_from=new_date)
                moved += ending.update(valid_to=new_last_day)
            registry_cache.registry_changed()  # updates send no signals
    except IntegrityError as exc:
        raise ValidationError(
            _("Moving the milestone would break a dated rule: %(error)s") % {"error": exc}
        ) from exc
    locked.date = new_date
    locked.save(update_fields=["date"])
    milestone.date = new_date
    # A closing or an offering's end moved earlier takes away booked places: cancel those
    # bookings and tell the citizens, in this transaction (change_impact). The admin passes
    # False: its CapacityGuard shows the list first and applies it once confirmed.
    if apply_capacity_loss:
        change_impact.apply(offices_following(locked))
    return moved


def offices_following(milestone: Milestone) -> list[Office]:
    """The offices whose opening, closing or offerings follow `milestone`."""
    return list(
        Office.objects.filter(
            Q(opened_with=milestone)
            | Q(closed_with=milestone)
            | Q(offerings__starts_with=milestone)
            | Q(offerings__ends_with=milestone)
        ).distinct()
    )
