"""Offices (servicekontor), their desks, what they offer when, and when they are open.

Date conventions, the same everywhere in the registry:
- `Office.opened_on` is the first day open; `Office.closed_on` the first day closed for good.
- `Offering.valid_from` is the first day offered; `Offering.valid_to` the last day (inclusive),
  empty while open-ended. The same holds for `OpeningHoursPeriod`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Capability, Service
from servicekontor.core.i18n import pick_language
from servicekontor.network.dates import DateSpan


class DatePrecision(models.TextChoices):
    """How much of a date the public sources tell; the stored date is the first possible day."""

    DAY = "day", _("exact day")
    MONTH = "month", _("month known")
    YEAR = "year", _("only the year known")
    # Sources that confirm an office was open on a day but not when it opened: the stored
    # date is that day, the latest possible opening (so counts before it are conservative).
    BY = "by", _("open by this day (opening not in the sources)")


class Milestone(models.Model):
    """A dated decision that many rows follow, e.g. the takeover of the offices on 2019-06-01.

    Offices and offerings may start or end *with* a milestone; moving its date (as the
    government moved the takeover from 2019-01-01 to 2019-06-01) is then one edit:
    `services.move_milestone`.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(
        _("name (English)"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the English pages; empty: the Swedish name."),
    )
    date = models.DateField(_("date"))
    precision = models.CharField(
        _("precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"

    @property
    def name(self) -> str:
        """In the active language (as an agency's or a service's name)."""
        return pick_language(self.name_sv, self.name_en)


class CoordinateSource(models.TextChoices):
    LOCALITY = "geonames_locality", _("GeoNames locality")
    CITY_FALLBACK = "geonames_city_fallback", _("GeoNames: the district's city (district missing)")
    IMPORTED = "imported", _("imported")
    DISTRICT = "district", _("centre of the district, from a cited source")
    ADMIN = "admin", _("set by an administrator")


# The fields that describe an office in the registry's exchange formats (the CSV import's
# columns, the API's office), in that order; their maximum lengths are the model's.
OFFICE_EXCHANGE_FIELDS = (
    "code",
    "name",
    "municipality",
    "county",
    "street_address",
    "postal_code",
    "postal_town",
    "latitude",
    "longitude",
)


class OfficeQuerySet(models.QuerySet["Office"]):
    """The database form of `Office.is_operating_on` (`DateSpan.operating(…).contains`)."""

    def operating_on(self, day: dt.date) -> "OfficeQuerySet":
        return self.filter(opened_on__lte=day).filter(
            models.Q(closed_on__isnull=True) | models.Q(closed_on__gt=day)
        )


class OfficeKind(models.TextChoices):
    OFFICE = "office", _("Service office")
    # Served on a schedule by travelling staff (a mobile office's stop, a library visit):
    # its days are its `OutreachRule`s, not weekly hours (docs/outreach.md).
    OUTREACH = "outreach", _("Outreach stop")


class Office(models.Model):
    """A service office (servicekontor), or an outreach stop served on a schedule.

    A stop is an office row of kind "outreach" so that everything an office has — offerings
    (the agencies served), desks and their capabilities, bookings, check-in, the finder, its
    page — works for it unchanged; only its opening days come from its recurrence rules.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=10, choices=OfficeKind.choices, default=OfficeKind.OFFICE
    )
    municipality = models.CharField(_("municipality"), max_length=80)
    county = models.CharField(_("county (län)"), max_length=80)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    postal_town = models.CharField(_("postal town"), max_length=80, blank=True)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    coordinate_source = models.CharField(
        _("coordinate source"),
        max_length=30,
        choices=CoordinateSource.choices,
        default=CoordinateSource.LOCALITY,
    )
    geonames_place = models.CharField(_("GeoNames place"), max_length=120, blank=True)
    position_approximate = models.BooleanField(
        _("approximate position"),
        default=True,
        help_text=_(
            "The point is the centre of the office's locality or district, not the office "
            "itself. Clear it when you set the office's own position."
        ),
    )
    opened_on = models.DateField(_("first day open"))
    opened_precision = models.CharField(
        _("opening date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    opened_with = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offices_opened",
        verbose_name=_("opened with milestone"),
    )
    closed_on = models.DateField(_("first day closed"), null=True, blank=True)
    closed_precision = models.CharField(
        _("closing date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    closed_with = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offices_closed",
        verbose_name=_("closed with milestone"),
    )
    closed_on_public_holidays = models.BooleanField(_("closed on public holidays"), default=True)
    closed_on_eves = models.BooleanField(
        _("closed on eves"),
        default=True,
        help_text=_("Midsommarafton, julafton and nyårsafton."),
    )
    keeps_queue_overnight = models.BooleanField(
        _("keeps the queue overnight"),
        default=False,
        help_text=_("Otherwise visits still waiting at closing are closed as not served."),
    )
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gt=models.F("opened_on")),
                name="office_closes_after_it_opens",
                violation_error_message=_("The closing day must be after the opening day."),
            ),
        ]
        indexes = [models.Index(fields=["opened_on", "closed_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outreach(self) -> bool:
        return self.kind == OfficeKind.OUTREACH

    @property
    def operating_span(self) -> DateSpan:
        return DateSpan.operating(self.opened_on, self.closed_on)

    def is_operating_on(self, day: dt.date) -> bool:
        return self.operating_span.contains(day)

    @property
    def address_lines(self) -> list[str]:
        """The postal address as lines, with only the parts the registry has (often none yet)."""
        town = " ".join(part for part in (self.postal_code, self.postal_town) if part)
        return [line for line in (self.street_address, town) if line]

    @property
    def postal_address(self) -> str:
        """On one line: "Storgatan 1, 981 31 Kiruna", "981 31 Kiruna" or ""."""
        return ", ".join(self.address_lines)

    @property
    def map_url(self) -> str:
        """A map (OpenStreetMap) with a pin on the office's point: the way to the office while
        the registry has no street address (walk F1). An approximate point is the centre of
        the district or town, so the map opens wider there and the page says so."""
        zoom = 14 if self.position_approximate else 17
        lat, lon = f"{self.latitude:.5f}", f"{self.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={zoom}/{lat}/{lon}"

    @property
    def name_and_address(self) -> str:
        """Where a booking is, on one line: "Kiruna servicekontor, Storgatan 1, 981 31 Kiruna";
        an address that is only the town the office is named after is left out ("Malmö", not
        "Malmö, Malmö")."""
        address = self.postal_address
        if address.casefold() == self.name.strip().casefold():
            address = ""
        return ", ".join(part for part in (self.name, address) if part)


class ReferenceRecord(models.Model):
    """What `load_reference_data` last wrote for one row: its fingerprint (provenance).

    A later load updates the row only while its current fingerprint is still this one, i.e.
    no administrator has edited it since; see `network/reference_sync.py`.
    """

    kind = models.CharField(_("kind"), max_length=30)
    key = models.CharField(_("key"), max_length=120)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("reference data record")
        verbose_name_plural = _("reference data records")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                name="reference_record_unique",
                violation_error_message=_("This row already has a record."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ServicePointQuerySet(models.QuerySet["ServicePoint"]):
    """The one rule of which service points are officers' desks (decision 0080).

    A video room ('videorum', docs/glossary.md) is a service point with a capability that a
    video-meeting service needs (`Service.video_meeting`): a citizen sits there in front of a
    screen with the agency's caseworker; no officer serves walk-in visitors there. Every
    other service point is a desk. Staffing, the simulator, dimensioning, the demo's
    appointment hours and the desk sign-in count and offer `desks()`; video meetings take
    `video_rooms()`. (`appointments.capacity_inputs` applies the same rule inside its one
    statement, reading the capability's services with the desks.)
    """

    def video_rooms(self) -> "ServicePointQuerySet":
        return self.filter(capabilities__services__video_meeting=True).distinct()

    def desks(self) -> "ServicePointQuerySet":
        return self.exclude(
            pk__in=ServicePoint.objects.filter(capabilities__services__video_meeting=True).values(
                "pk"
            )
        )


class ServicePoint(models.Model):
    """A desk (disk) in an office, numbered as the lobby display shows it (docs/glossary.md),
    or a video room: which is which, `ServicePointQuerySet`."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="service_points", verbose_name=_("office")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    capabilities = models.ManyToManyField(
        Capability, blank=True, related_name="service_points", verbose_name=_("capabilities")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        ordering = ["office", "number"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "number"],
                name="service_point_number_unique_per_office",
                violation_error_message=_("This office already has a desk with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.office.name} · {_('desk')} {self.number}"


class OfferingQuerySet(models.QuerySet["Offering"]):
    """The database forms of `DateSpan.contains` and `DateSpan.overlaps` for offerings."""

    def valid_on(self, day: dt.date) -> "OfferingQuerySet":
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )

    def overlapping(
        self, *, office_id: int, service_id: int, valid_from: dt.date, valid_to: dt.date | None
    ) -> "OfferingQuerySet":
        qs = self.filter(office_id=office_id, service_id=service_id).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=valid_from)
        )
        if valid_to is not None:
            qs = qs.filter(valid_from__lte=valid_to)
        return qs


class Offering(models.Model):
    """An office offers an agency's service from `valid_from` to `valid_to` (inclusive).

    History is kept as rows; overlapping offerings of the same service at the same office are
    rejected by the database (an exclusion constraint on PostgreSQL, a trigger on SQLite; see
    migration 0002).
    """

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="offerings", verbose_name=_("office")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("service")
    )
    valid_from = models.DateField(_("first day"))
    valid_to = models.DateField(_("last day"), null=True, blank=True)
    starts_with = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offerings_started",
        verbose_name=_("starts with milestone"),
    )
    ends_with = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offerings_ended",
        verbose_name=_("ends with milestone"),
        help_text=_("The offering's last day is the day before this milestone."),
    )
    source = models.TextField(_("source"), blank=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["office", "service", "valid_from"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="offering_ends_after_it_starts",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]
        indexes = [models.Index(fields=["service", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        end = f"{self.valid_to:%Y-%m-%d}" if self.valid_to else "…"
        return f"{self.office} · {self.service} · {self.valid_from:%Y-%m-%d}–{end}"

    def clean(self) -> None:
        super().clean()
        if self.office_id is None or self.service_id is None or self.valid_from is None:
            return
        overlapping = Offering.objects.overlapping(
            office_id=self.office_id,
            service_id=self.service_id,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                _("This office already offers this service in part of that period.")
            )


class OpeningHoursPeriod(models.Model):
    """The regular weekly hours of an office from `valid_from` to `valid_to` (inclusive)."""

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="opening_periods",
        verbose_name=_("office"),
    )
    valid_from = models.DateField(_("first day"))
    valid_to = models.DateField(_("last day"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=80, blank=True, help_text=_("e.g. Summer"))

    class Meta:
        ordering = ["office", "valid_from"]
        verbose_name = _("opening hours period")
        verbose_name_plural = _("opening hours periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="opening_period_ends_after_it_starts",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.name or _('regular hours')} · {self.valid_from}"

    def clean(self) -> None:
        # Periods may overlap (the newest wins, e.g. summer hours), but two starting on the
        # same day leave no newest one.
        super().clean()
        if self.office_id is None or self.valid_from is None:
            return
        same_start = OpeningHoursPeriod.objects.filter(
            office_id=self.office_id, valid_from=self.valid_from
        ).exclude(pk=self.pk)
        if same_start.exists():
            raise ValidationError(
                {
                    "valid_from": _(
                        "Another opening hours period of this office starts on this day; "
                        "give one of them another first day."
                    )
                }
            )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyHours(models.Model):
    """One open interval on a weekday; two rows on a day make a lunch break."""

    period = models.ForeignKey(
        OpeningHoursPeriod, on_delete=models.CASCADE, related_name="hours", verbose_name=_("period")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["period", "weekday", "opens"]
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="weekly_hours_close_after_open",
                violation_error_message=_("Closing time must be after opening time."),
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="weekly_hours_weekday_0_to_6",
                violation_error_message=_("Weekday must be 0 (Monday) to 6 (Sunday)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", _("Closed all day")
    SPECIAL_HOURS = "special_hours", _("Special hours")


class OpeningException(models.Model):
    """A day that differs from the weekly hours: closed, or open with other hours.

    An exception wins over public holidays, so an office can also open on a holiday.
    """

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("office")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=15, choices=ExceptionKind.choices)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason_sv = models.CharField(_("reason (Swedish)"), max_length=200, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["office", "date"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "date"],
                name="one_exception_per_office_and_day",
                violation_error_message=_("This office already has an exception on this day."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="closed", opens__isnull=True, closes__isnull=True)
                    | models.Q(
                        kind="special_hours",
                        opens__isnull=False,
                        closes__isnull=False,
                        closes__gt=models.F("opens"),
                    )
                ),
                name="exception_hours_match_kind",
                violation_error_message=_(
                    "A closed day has no hours; special hours need an opening time "
                    "before the closing time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.date} · {self.get_kind_display()}"


class RecurrenceFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class HolidayPolicy(models.TextChoices):
    """What a visit falling on a public holiday or eve (as the stop's flags say) does."""

    SKIP = "skip", _("Skip the visit")
    NEXT = "next", _("Move it to the next working day")
    PREVIOUS = "previous", _("Move it to the previous working day")
    KEEP = "keep", _("Serve it as usual")


class OutreachRule(models.Model):
    """A recurring visit of an outreach stop: e.g. every second Tuesday 10:00–14:00.

    Expanded with python-dateutil's rrule by `network/outreach.py`. A cancelled or diverted
    visit, or changed hours on one day, is an `OpeningException` of the stop (as for an office).
    """

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="outreach_rules", verbose_name=_("stop")
    )
    frequency = models.CharField(
        _("repeats"),
        max_length=10,
        choices=RecurrenceFrequency.choices,
        default=RecurrenceFrequency.WEEKLY,
    )
    interval = models.PositiveSmallIntegerField(
        _("every"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1: every week (month), 2: every second week (month), …"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        help_text=_("Monthly only: 1–4 for the first to fourth such weekday, -1 for the last."),
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    valid_from = models.DateField(_("first day"))
    valid_to = models.DateField(_("last day"), null=True, blank=True)
    holiday_policy = models.CharField(
        _("on public holidays"),
        max_length=10,
        choices=HolidayPolicy.choices,
        default=HolidayPolicy.SKIP,
    )
    staffed_from = models.ForeignKey(
        Office,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_staffed",
        verbose_name=_("staffed from office"),
        help_text=_("The office whose officers travel to the stop."),
    )
    officers = models.PositiveSmallIntegerField(
        _("officers"), default=2, validators=[MinValueValidator(1)]
    )
    team = models.CharField(
        _("team or vehicle"), max_length=120, blank=True, help_text=_("e.g. Mobile office 1")
    )

    class Meta:
        ordering = ["office", "weekday", "opens"]
        verbose_name = _("outreach visit rule")
        verbose_name_plural = _("outreach visit rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="outreach_rule_close_after_open",
                violation_error_message=_("Closing time must be after opening time."),
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6, interval__gte=1),
                name="outreach_rule_weekday_interval",
                violation_error_message=_("Weekday 0–6 and an interval of at least 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(frequency="weekly", week_of_month__isnull=True)
                | models.Q(frequency="monthly", week_of_month__in=[-1, 1, 2, 3, 4]),
                name="outreach_rule_week_of_month",
                violation_error_message=_(
                    "A monthly visit needs the week of the month (1–4 or -1); a weekly one none."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="outreach_rule_ends_after_it_starts",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.office} · {self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"
        )

    def clean(self) -> None:
        super().clean()
        if (
            self.office_id is not None
            and not Office.objects.filter(pk=self.office_id, kind=OfficeKind.OUTREACH).exists()
        ):
            raise ValidationError({"office": _("Visit rules belong to outreach stops only.")})
