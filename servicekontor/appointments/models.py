"""Appointments: how many counters an office gives to bookings, the rules, and the bookings.

Personal data lives only on `Booking` (name, e-mail, mobile, a keyed hash of the identity
number) and is blanked by `services.purge_personal_data` N days after the visit; the rest of
the row (office, service, times, status) stays for statistics.
"""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.network.models import Office, ServicePoint, Weekday


class AppointmentAllocation(models.Model):
    """How many counters an office gives to appointments on a weekday, per local hour (ZMS)."""

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="appointment_allocations",
        verbose_name=_("office"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    hour = models.PositiveSmallIntegerField(
        _("hour"), validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    counters = models.PositiveSmallIntegerField(
        _("desks for appointments"),
        help_text=_("Never more than the desks in use that can serve the service."),
    )

    class Meta:
        ordering = ["office", "weekday", "hour"]
        verbose_name = _("appointment allocation")
        verbose_name_plural = _("appointment allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "weekday", "hour"],
                name="allocation_unique_per_office_weekday_hour",
                violation_error_message=_("This hour already has an allocation."),
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6, hour__gte=0, hour__lte=23),
                name="allocation_weekday_and_hour_in_range",
                violation_error_message=_("Weekday 0–6 and hour 0–23."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.get_weekday_display()} {self.hour:02d}:00 · {self.counters}"


DEFAULT_HORIZON_DAYS = 56
DEFAULT_CLOSES_MINUTES_BEFORE = 120
DEFAULT_PER_PERSON_PER_DAY = 1


class BookingRule(models.Model):
    """Booking window and limits for one service at one office; defaults when there is no row."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="booking_rules", verbose_name=_("office")
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="booking_rules", verbose_name=_("service")
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking opens (days ahead)"),
        default=DEFAULT_HORIZON_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    closes_minutes_before = models.PositiveIntegerField(
        _("booking closes (minutes before)"), default=DEFAULT_CLOSES_MINUTES_BEFORE
    )
    per_person_per_day = models.PositiveSmallIntegerField(
        _("bookings per person and day"),
        default=DEFAULT_PER_PERSON_PER_DAY,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        ordering = ["office", "service"]
        verbose_name = _("booking rule")
        verbose_name_plural = _("booking rules")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service"],
                name="booking_rule_unique_per_office_service",
                violation_error_message=_("This office already has rules for this service."),
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1, per_person_per_day__gte=1),
                name="booking_rule_positive",
                violation_error_message=_("The horizon and the limit must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.service}"


class BookingDay(models.Model):
    """The lock row for one office's local day: every booking there locks it first.

    Capacity is shared by all services at an office (they draw on the same counters), so the
    office-day is the smallest unit whose count can be checked and then inserted safely.
    """

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="booking_days", verbose_name=_("office")
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("booking day")
        verbose_name_plural = _("booking days")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "day"],
                name="booking_day_unique",
                violation_error_message=_("This office already has this day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.day}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")
    CANCELLED_BY_OFFICE = "cancelled_by_office", _("Cancelled by the office")
    LATE = "late", _("Arrived late (walk-in)")
    NO_SHOW = "no_show", _("No-show")


class OfficeCancelReason(models.TextChoices):
    """Why a registry change took a booking's place (services.release_bookings_without_capacity)."""

    CLOSED = "closed", _("The office is closed at that time.")
    NOT_OFFERED = "not_offered", _("The office no longer offers the service on that day.")
    NO_COUNTER = "no_counter", _("The office has fewer desks for appointments at that time.")
    # A video meeting the agency cancelled (services.cancel_video_meeting_by_agency).
    CASEWORKER = "caseworker", _("The agency's caseworker cannot meet you at that time.")


# Statuses that hold a place at a counter.
HOLDS_CAPACITY = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)


class Booking(models.Model):
    """A citizen's appointment at an office for a service."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("office")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("service")
    )
    day = models.DateField(_("local day"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    code = models.CharField(
        _("booking code"),
        max_length=12,
        unique=True,
        help_text=_("Shown to the citizen; typed at the kiosk or told at the desk."),
    )
    token_hash = models.CharField(
        _("token hash"),
        max_length=64,
        unique=True,
        help_text=_("SHA-256 of the cancel/reschedule token; the token itself is never stored."),
    )
    # Personal data: blanked by the purge.
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    identity_hash = models.CharField(
        _("identity number hash"),
        max_length=64,
        blank=True,
        help_text=_("Keyed hash of the personal identity number, to compare with the ID shown."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        default="sv",
        help_text=_("The language the citizen booked in: every message to them is in it."),
    )
    created_at = models.DateTimeField(_("booked at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    closure_notified_at = models.DateTimeField(_("closure notice sent at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("personal data purged at"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        _("calendar sequence"),
        default=0,
        help_text=_(
            "Raised by every change a calendar must follow (moved, cancelled): the SEQUENCE of "
            "the booking's one calendar event."
        ),
    )
    link_key = models.CharField(
        _("link key"),
        max_length=64,
        blank=True,
        help_text=_(
            "Random; the manage link is derived from it with the secret key (tokens.py), so "
            "later messages can carry the same link. Empty on bookings made before that."
        ),
    )
    office_cancel_reason = models.CharField(
        _("why the office cancelled"),
        max_length=20,
        choices=OfficeCancelReason.choices,
        blank=True,
    )
    visit_id = models.BigIntegerField(
        _("queue visit"), null=True, blank=True, help_text=_("The visit created at check-in.")
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_ends_after_start",
                violation_error_message=_("A booking must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["office", "day", "status"]),
            models.Index(fields=["service", "day"]),
            models.Index(fields=["status", "ends_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.office} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def video_meeting(self) -> "VideoMeeting | None":
        """The booking's active video meeting (room and caseworker), or None: a booking that
        is no video meeting, or whose meeting was cancelled. One query per use."""
        return self.video_meetings.filter(active=True).select_related("room", "caseworker").first()

    def is_changeable(self, *, now: dt.datetime) -> bool:
        """Can the citizen still cancel or move it? A booked one until its start; one the
        office cancelled (a registry change took its place) may be moved to a new time until
        its personal data is purged."""
        if self.status == BookingStatus.BOOKED:
            return self.starts_at > now
        return self.status == BookingStatus.CANCELLED_BY_OFFICE and self.purged_at is None

    def is_cancellable(self, *, now: dt.datetime) -> bool:
        return self.status == BookingStatus.BOOKED and self.starts_at > now

    def holds_capacity(self) -> bool:
        return self.status in HOLDS_CAPACITY

    def may_check_in(self, *, now: dt.datetime, early: dt.timedelta) -> bool:
        """Check-in is open from `early` before the time; a booking the no-show job already
        marked may still check in (lateness is the clock's to decide: services.check_in_booking)."""
        return (
            self.status in (BookingStatus.BOOKED, BookingStatus.NO_SHOW)
            and now >= self.starts_at - early
        )

    def status_label(self, *, now: dt.datetime, grace: dt.timedelta) -> str:
        """The status as the citizen should read it at `now`: from the clock, not from
        whether the no-show job has run yet (a booked time past its grace reads the same
        before and after)."""
        if self.status in (BookingStatus.BOOKED, BookingStatus.NO_SHOW) and (
            now > self.starts_at + grace
        ):
            return str(_("The time has passed without check-in"))
        return str(self.get_status_display())


class Caseworker(models.Model):
    """An agency's caseworker who meets citizens by video from the offices.

    The agency publishes the caseworker's free times through its API client or an iCalendar
    feed (`calendar_url`, read on a schedule). Work contact only; no citizen data here.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="caseworkers", verbose_name=_("agency")
    )
    external_id = models.CharField(
        _("agency's id"), max_length=120, help_text=_("How the agency's system names them.")
    )
    display_name = models.CharField(_("name shown"), max_length=120)
    email = models.EmailField(
        _("work e-mail"), blank=True, help_text=_("Told of bookings and cancellations.")
    )
    calendar_url = models.URLField(
        _("free-time feed (iCalendar)"),
        blank=True,
        max_length=500,
        help_text=_("Read by manage.py read_caseworker_feeds; each event is a free period."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["agency", "display_name"]
        verbose_name = _("caseworker")
        verbose_name_plural = _("caseworkers")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                name="caseworker_unique_per_agency",
                violation_error_message=_("This agency already has a caseworker with this id."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.agency})"


class AvailabilitySource(models.TextChoices):
    API = "api", _("Agency API")
    FEED = "feed", _("iCalendar feed")


class CaseworkerAvailability(models.Model):
    """A period in which the caseworker can take video meetings (as the agency published it)."""

    caseworker = models.ForeignKey(
        Caseworker,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("caseworker"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    source = models.CharField(_("source"), max_length=10, choices=AvailabilitySource.choices)

    class Meta:
        ordering = ["caseworker", "starts_at"]
        verbose_name = _("caseworker free time")
        verbose_name_plural = _("caseworker free times")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="availability_ends_after_start",
                violation_error_message=_("A free period must end after it starts."),
            )
        ]
        indexes = [models.Index(fields=["caseworker", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.caseworker} · {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingSide(models.TextChoices):
    CITIZEN = "citizen", _("the citizen")
    OFFICE = "office", _("the office")
    AGENCY = "agency", _("the agency")


class VideoMeeting(models.Model):
    """The caseworker's time and the office's video room of one booking at one time, held
    together.

    Booked by `services.book_appointment` in the booking's transaction: under the office-day
    lock (the room) and the caseworker's row lock (their time). While `active`, neither the
    room nor the caseworker has another active meeting overlapping it; on PostgreSQL two
    exclusion constraints also say so (migration 0005). A booking has at most one active
    meeting; moving the booking ends its meeting (`moved_to` the new one) and books a new
    one, so the agency's side sees the old time cancelled and the new time booked.
    """

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="video_meetings", verbose_name=_("booking")
    )
    caseworker = models.ForeignKey(
        Caseworker, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("caseworker")
    )
    room = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        related_name="video_meetings",
        verbose_name=_("room"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    active = models.BooleanField(_("active"), default=True)
    room_name = models.CharField(
        _("meeting room name"),
        max_length=64,
        unique=True,
        help_text=_("The video provider's room; unguessable."),
    )
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=10, choices=MeetingSide.choices, blank=True
    )
    agency_notified_at = models.DateTimeField(_("agency told at"), null=True, blank=True)
    moved_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moved_from",
        verbose_name=_("moved to"),
        help_text=_("The meeting that replaced this one when the booking was moved."),
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("video meeting")
        verbose_name_plural = _("video meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=models.Q(active=True),
                name="video_meeting_one_active_per_booking",
                violation_error_message=_("A booking has one active video meeting at most."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="video_meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["caseworker", "active", "starts_at"]),
            models.Index(fields=["room", "active", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.booking.code} · {self.caseworker} · {self.room}"
