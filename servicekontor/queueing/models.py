"""The walk-in queue: visits, their event log, ticket counters, desks in use, device tokens.

A visit's mutable row says where it is *now*; the append-only `VisitEvent` log says how it got
there, and every statistic (wait, service time, outcomes) is computed from the log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Service
from servicekontor.core.secret_tokens import hash_token
from servicekontor.network.models import Office, ServicePoint
from servicekontor.queueing.states import Action, State


class VisitState(models.TextChoices):
    WAITING = State.WAITING.value, _("Waiting")
    CALLED = State.CALLED.value, _("Called")
    SERVING = State.SERVING.value, _("Being served")
    ON_HOLD = State.ON_HOLD.value, _("On hold")
    FINISHED = State.FINISHED.value, _("Finished")
    NO_SHOW = State.NO_SHOW.value, _("No-show")
    NOT_SERVED = State.NOT_SERVED.value, _("Not served at closing")


class VisitAction(models.TextChoices):
    ISSUE = Action.ISSUE.value, _("Ticket issued")
    CHECK_IN = Action.CHECK_IN.value, _("Checked in (booked)")
    CALL = Action.CALL.value, _("Called")
    RECALL = Action.RECALL.value, _("Called again")
    START = Action.START.value, _("Service started")
    HOLD = Action.HOLD.value, _("Put on hold")
    REQUEUE = Action.REQUEUE.value, _("Back in line")
    TRANSFER = Action.TRANSFER.value, _("Transferred")
    FINISH = Action.FINISH.value, _("Finished")
    NO_SHOW = Action.NO_SHOW.value, _("No-show")
    CLOSE = Action.CLOSE.value, _("Closed at closing time")


class VisitSource(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    DESK = "desk", _("Added at a desk")
    APPOINTMENT = "appointment", _("Appointment")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    E_SERVICE = "e_service", _("Helped with an e-service")
    DOCUMENTS_FORWARDED = "documents_forwarded", _("Documents received and forwarded")
    REFERRED = "referred", _("Referred to the agency's caseworker")
    MEETING_BOOKED = "meeting_booked", _("Meeting with the agency booked")
    COME_BACK = "come_back", _("Must come back with documents")
    NO_SHOW = "no_show", _("Did not show up")
    NOT_SERVED_AT_CLOSING = "not_served_at_closing", _("Not served at closing")
    # Only on an errand: the part served before the visit was handed on to another service.
    TRANSFERRED = "transferred", _("Handed on to another service")


# What an officer may choose when finishing; the others are set by the system.
FINISH_OUTCOMES = (
    Outcome.RESOLVED,
    Outcome.E_SERVICE,
    Outcome.DOCUMENTS_FORWARDED,
    Outcome.REFERRED,
    Outcome.MEETING_BOOKED,
    Outcome.COME_BACK,
)


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    ACCESSIBILITY = 10, _("Priority (e.g. accessibility need)")


class QueueSettings(models.Model):
    """How one office runs its queue; an office without a row uses the defaults."""

    office = models.OneToOneField(
        Office, on_delete=models.CASCADE, related_name="queue_settings", verbose_name=_("office")
    )
    transfer_keeps_arrival = models.BooleanField(
        _("transferred visits keep their arrival time"), default=True
    )
    max_calls = models.PositiveSmallIntegerField(
        _("calls before no-show"), default=3, help_text=_("First call included.")
    )
    min_recall_seconds = models.PositiveSmallIntegerField(_("seconds between calls"), default=30)
    notify_when_ahead = models.PositiveSmallIntegerField(
        _("notify when this many are ahead"), default=3
    )
    require_device_token = models.BooleanField(
        _("kiosk and display need a device token"), default=False
    )

    class Meta:
        verbose_name = _("queue settings")
        verbose_name_plural = _("queue settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_calls__gte=1),
                name="queue_settings_max_calls_positive",
                violation_error_message=_("At least one call is needed."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} · {_('queue settings')}"

    @classmethod
    def for_office(cls, office: Office) -> "QueueSettings":
        """The office's settings, or unsaved defaults (no write on read).

        An office read with `select_related("queue_settings")` already carries them (or
        their absence): no second query.
        """
        relation = cls._meta.get_field("office").remote_field
        assert isinstance(relation, models.OneToOneRel)
        found: QueueSettings | None
        if relation.is_cached(office):
            cached = relation.get_cached_value(office)
            assert cached is None or isinstance(cached, QueueSettings)
            found = cached
        else:
            found = cls.objects.filter(office=office).first()
        return found or cls(office=office)


class TicketCounter(models.Model):
    """The last ticket number issued at an office on a local day.

    Incremented with one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (see services), so two
    kiosks printing at the same instant serialise on this row and never share a number.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    local_day = models.DateField(_("day (Stockholm)"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "local_day"],
                name="ticket_counter_one_per_office_day",
                violation_error_message=_("This office already has a counter for this day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.local_day} · {self.last_number}"


class Visit(models.Model):
    """One citizen's visit for one service, from ticket to outcome."""

    # Indexes (decision 0036): no single-column index on office, service or desk — office is
    # the first column of `visit_office_day`, `visit_office_state_q` and the ticket's unique
    # key; no query filters visits by service or desk (deleting a service is refused, desks
    # are deactivated, not deleted). `officer` keeps its index: the desk's own visit.
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("office"),
        db_index=False,
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("service"),
        db_index=False,
    )
    local_day = models.DateField(_("day (Stockholm)"))
    ticket_letter = models.CharField(_("ticket letter"), max_length=1)
    ticket_number = models.PositiveIntegerField(_("ticket number"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=VisitState.choices, default=VisitState.WAITING
    )
    source = models.CharField(
        _("source"), max_length=12, choices=VisitSource.choices, default=VisitSource.KIOSK
    )
    priority = models.SmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    arrived_at = models.DateTimeField(_("arrived"))
    # The place in line: arrival, or the transfer time when the office says so.
    queued_at = models.DateTimeField(_("in line since"))
    booked_start = models.DateTimeField(_("booked time"), null=True, blank=True)
    booking_reference = models.CharField(_("booking reference"), max_length=40, blank=True)
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk"),
        db_index=False,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    called_at = models.DateTimeField(_("last called"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("calls"), default=0)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Personal data, kept only while the visit is open; cleared when it ends (see services).
    notify_contact = models.CharField(_("notify (phone or e-mail)"), max_length=120, blank=True)
    notify_language = models.CharField(
        _("language of the notice"),
        max_length=8,
        blank=True,
        help_text=_("The language of the kiosk when the ticket was taken."),
    )
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    # Written by `manage.py simulate` (history for a demo or a test installation); removed
    # with `manage.py simulate --remove`. Real visits are never simulated.
    simulated = models.BooleanField(_("simulated"), default=False, db_default=False)

    class Meta:
        ordering = ["office", "local_day", "ticket_number"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "local_day", "ticket_number"],
                name="visit_ticket_unique_per_office_day",
                violation_error_message=_("This ticket number is already taken today."),
            ),
            models.UniqueConstraint(
                fields=["booking_reference"],
                condition=~models.Q(booking_reference=""),
                name="visit_one_per_booking",
                violation_error_message=_("This booking already has a visit."),
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=VisitState.values),
                name="visit_state_valid",
                violation_error_message=_("Unknown visit state."),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="finished") | ~models.Q(outcome=""),
                name="visit_finished_has_outcome",
                violation_error_message=_("A finished visit needs an outcome."),
            ),
        ]
        indexes = [
            # call-next scans the open visits of one office
            models.Index(fields=["office", "state", "queued_at"], name="visit_office_state_q"),
            models.Index(fields=["office", "local_day"], name="visit_office_day"),
        ]

    def __str__(self) -> str:
        return self.ticket or f"{self.office} · {self.booking_reference}"

    @property
    def ticket(self) -> str:
        """What the kiosk prints and the display shows, e.g. S-023."""
        if self.ticket_number is None:
            return ""
        return f"{self.ticket_letter}-{self.ticket_number:03d}"


class VisitEvent(models.Model):
    """One state change of a visit, appended in the same transaction as the change."""

    # Indexes (decision 0036): `visit_event_visit_at` (a visit's events: the rollups' per-change
    # read, the errands' attribution, a visit's deletion) and `visit_event_office_at` (an
    # office's events of today: the screens' versions, the live figures) serve every read;
    # `officer` keeps its own (deleting an officer's account: the key's check), none on
    # service or desk (no query filters events by them).
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The service (and so agency) the visit had *after* this change: transfers split statistics.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=12, choices=VisitAction.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=VisitState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=VisitState.choices)
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        indexes = [
            models.Index(fields=["office", "at"], name="visit_event_office_at"),
            models.Index(fields=["visit", "at"], name="visit_event_visit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.from_state or '∅'}→{self.to_state} @ {self.at:%H:%M:%S}"


class OfficerStatus(models.TextChoices):
    IDLE = "idle", _("Ready")
    BREAK = "break", _("On a break")
    BACK_OFFICE = "back_office", _("Back office")


class DeskSession(models.Model):
    """An officer signed in at a desk. At most one per officer and one per desk.

    "Serving" is not stored: an officer serves while they have a called or served visit.
    """

    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_session"
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="desk_sessions")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="desk_sessions"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OfficerStatus.choices, default=OfficerStatus.IDLE
    )
    since = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("desk session")
        verbose_name_plural = _("desk sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["service_point"],
                name="desk_session_one_officer_per_desk",
                violation_error_message=_("Someone else is signed in at this desk."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.service_point}"


class Errand(models.Model):
    """One errand of a visit: what was done for which service (and so agency), with the
    serving seconds attributed to it.

    A visit has one or more errands, written by the desk: when the officer turns to the next
    errand, when the visit is transferred (the part served so far, outcome "transferred") and
    when it is finished. Their seconds add up to the visit's time in `serving` (see
    `intervals.seconds_in_state`). `first_for_agency` marks the visit's first errand for an
    agency, so "visits per agency" is a plain count and a visit counts once per agency.
    """

    # Indexes (decision 0036): a visit's errands through the unique (visit, position); none
    # on service (no query filters errands by it); (officer, recorded_at): an officer's
    # errands of today in the desk's version (`sql._OFFICER_ERRANDS`, every desk poll; the
    # officer's own index would read every errand the officer ever recorded) and an account's
    # deletion (its first column).
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="errands", db_index=False
    )
    position = models.PositiveSmallIntegerField(_("position"))
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service"),
        db_index=False,
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    interpreter_language = models.CharField(
        _("interpreter language"),
        max_length=8,
        blank=True,
        help_text=_(
            "ISO 639-1 code, or ISO 639-3 for a language without one, e.g. ar, so, ti, prs."
        ),
    )
    service_seconds = models.PositiveIntegerField(_("service seconds"))
    first_for_agency = models.BooleanField(default=True)
    recorded_at = models.DateTimeField(_("recorded"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
        db_index=False,
    )

    class Meta:
        ordering = ["visit", "position"]
        verbose_name = _("errand")
        verbose_name_plural = _("errands")
        indexes = [models.Index(fields=["officer", "recorded_at"], name="errand_officer_recorded")]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "position"],
                name="errand_position_unique",
                violation_error_message=_("This visit already has an errand at this position."),
            ),
            models.CheckConstraint(
                condition=models.Q(interpreter_used=True) | models.Q(interpreter_language=""),
                name="errand_language_needs_interpreter",
                violation_error_message=_("A language is recorded only with an interpreter."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit} #{self.position} {self.service_id} {self.outcome}"


class DeskActivity(models.TextChoices):
    """What an officer at a desk is doing, as written to the desk-status log."""

    READY = OfficerStatus.IDLE.value, _("Ready")
    BREAK = OfficerStatus.BREAK.value, _("On a break")
    BACK_OFFICE = OfficerStatus.BACK_OFFICE.value, _("Back office")
    SERVING = "serving", _("Serving a visit")
    SIGNED_OUT = "signed_out", _("Signed out")


class DeskStatusEvent(models.Model):
    """Append-only: from `at` the officer is in `status` (until their next row).

    Written by the desk services in the same transaction as the change: sign-in (ready),
    status changes, a call (serving), the visit leaving the desk (back to the session's status)
    and sign-out. Occupancy (serving time / signed-in time) is computed from it.
    """

    # Indexes (decision 0036): `desk_status_office_at` and `desk_status_officer_at` only; office
    # and officer are their first columns, no query filters the log by desk.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("at"))
    status = models.CharField(_("status"), max_length=12, choices=DeskActivity.choices)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("desk status event")
        verbose_name_plural = _("desk status events")
        indexes = [
            models.Index(fields=["office", "at"], name="desk_status_office_at"),
            models.Index(fields=["officer", "at"], name="desk_status_officer_at"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.status} @ {self.at:%H:%M:%S}"


class DeviceKind(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    DISPLAY = "display", _("Lobby display")


class DeviceToken(models.Model):
    """A kiosk or lobby screen allowed to show an office's public pages.

    Only a SHA-256 of the token is stored; the token itself is shown once when created.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="device_tokens")
    kind = models.CharField(_("kind"), max_length=8, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.office} · {self.get_kind_display()} · {self.name}"

    @staticmethod
    def hash(token: str) -> str:
        return hash_token(token)
