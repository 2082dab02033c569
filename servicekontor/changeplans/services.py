"""Write use cases of change plans: drafts, their changes, versions, openings from a planning
result, and adoption into the registry.

Every edit locks the plan row first (`_lock_draft`), so two administrators editing one plan
are serialised and an adopted plan cannot change any more. Adoption writes the whole plan in
one transaction or nothing (`adopt_plan`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.accounts.models import User
from servicekontor.catalog.models import Agency, Service
from servicekontor.changeplans import queries
from servicekontor.changeplans.models import AdoptedRow, ChangePlan, PlannedChange, PlanStatus
from servicekontor.changeplans.registry_state import Diff, Kind, apply_plan, diff
from servicekontor.core import clock
from servicekontor.core.errors import DomainError
from servicekontor.network import registry_cache
from servicekontor.network.models import (
    CoordinateSource,
    Milestone,
    Offering,
    Office,
    OpeningHoursPeriod,
    ServicePoint,
    WeeklyHours,
)
from servicekontor.planning.models import Scenario

Row = AdoptedRow.Table


class NotADraft(DomainError):
    http_status = 409
    default_message = gettext_lazy("This plan has been adopted; make a new version to change it.")


class Superseded(DomainError):
    """Another version of the plan was adopted after this draft was made."""

    http_status = 409

    def __init__(self, adopted: ChangePlan) -> None:
        super().__init__(
            queries.adopted_note(adopted)
            + " "
            + _(
                "This version was made before that and can no longer be adopted; make a new "
                "version of version %(n)s to change the network further."
            )
            % {"n": adopted.version}
        )


class PlanExists(DomainError):
    http_status = 409
    default_message = gettext_lazy(
        "A plan with this name exists already; open it and make a new version instead."
    )


class EmptyPlan(DomainError):
    http_status = 400
    default_message = gettext_lazy("The plan has no changes to adopt.")


class AdoptionConflict(DomainError):
    """The registry has changed in a way that conflicts with the plan; nothing was written."""

    http_status = 409

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(
            _(
                "Nothing was adopted: the registry conflicts with the plan. Change the plan "
                "(or the registry) and adopt again. %(reasons)s"
            )
            % {"reasons": " ".join(self.reasons)}
        )


class ChangeInUse(DomainError):
    http_status = 409
    default_message = gettext_lazy("Other changes follow this one; change or remove them first.")


#: Changes on the same day are numbered (and applied, `registry_state.ordered`) in this order
#: of their kinds: a milestone moved first, then an office opened and given services, its
#: hours changed, services removed, and closings last (walk F11).
KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            Kind.MOVE_MILESTONE,
            Kind.OPEN_OFFICE,
            Kind.ADD_SERVICES,
            Kind.CHANGE_HOURS,
            Kind.REMOVE_SERVICES,
            Kind.CLOSE_OFFICE,
        )
    )
}


def renumber(plan: ChangePlan) -> None:
    """Number the plan's changes 1, 2, … by their effective date, then kind (`KIND_ORDER`),
    then the order they were entered in (walk F11: they were numbered by entry, so "change 3"
    could come before "change 1"). The number is the stored ``position``, which the page, its
    files, the API and the conflicts all show, so they agree. Called by every write that
    adds, removes or re-dates a change (the caller holds the plan's lock) and when a
    registry milestone the plan follows moves. The plan's dates must resolve (no cycle)."""
    rows = list(plan.changes.order_by("position"))
    dates = queries.resolved_dates(rows)
    ordered = sorted(
        rows,
        key=lambda c: (dates.get(c.pk, dt.date.max), KIND_ORDER.get(Kind(c.kind), 9), c.position),
    )
    if [c.pk for c in ordered] == [c.pk for c in rows] and [c.position for c in rows] == list(
        range(1, len(rows) + 1)
    ):
        return
    # out of the way first: the unique (plan, position) is checked row by row on PostgreSQL
    shift = max(c.position for c in rows) + len(rows)
    plan.changes.update(position=F("position") + shift)
    for number, c in enumerate(ordered, start=1):
        c.position = number
    PlannedChange.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def renumber_followers_of(milestone: Milestone) -> None:
    """A registry milestone moved: renumber the drafts with a change that follows it (their
    dates moved with it). A draft whose dates no longer resolve is left as it is (its page
    says why)."""
    for plan in ChangePlan.objects.filter(
        status=PlanStatus.DRAFT, changes__after_milestone=milestone
    ).distinct():
        locked = ChangePlan.objects.select_for_update().get(pk=plan.pk)
        try:
            with transaction.atomic():
                renumber(locked)
        except DomainError:
            pass


def _lock_draft(plan: ChangePlan) -> ChangePlan:
    locked = ChangePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise NotADraft()
    return locked


def _refuse_superseded(plan: ChangePlan) -> None:
    adopted = queries.superseded_by(plan)
    if adopted is not None:
        raise Superseded(adopted)


def adoption_preview(plan: ChangePlan) -> Diff:
    """What adopting ``plan`` would write now (nothing is written), for the confirmation
    step; raises what `adopt_plan` raises before writing (NotADraft, EmptyPlan,
    AdoptionConflict)."""
    if plan.status != PlanStatus.DRAFT:
        raise NotADraft()
    _refuse_superseded(plan)
    rows = queries.plan_changes(plan)
    if not rows:
        raise EmptyPlan()
    registry = queries.registry_state()
    changes, _dates = queries.pure_changes(rows, registry)
    after, conflicts = apply_plan(registry, changes, today=clock.local_today())
    if conflicts:
        raise AdoptionConflict(
            queries.conflict_messages(conflicts, rows, queries.plan_names(rows, registry))
        )
    return diff(registry, after)


@transaction.atomic
def create_plan(*, user: User | None, name: str, description: str = "") -> ChangePlan:
    """A new plan (version 1). Locks: none; the unique (name, version) decides a race
    (PlanExists, 409)."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the plan a name."))
    if ChangePlan.objects.filter(name=name).exists():
        raise PlanExists()
    try:
        with transaction.atomic():
            return ChangePlan.objects.create(
                name=name, description=description, created_by=user, version=1
            )
    except IntegrityError:
        raise PlanExists() from None


@transaction.atomic
def add_change(
    *,
    plan: ChangePlan,
    kind: str,
    on_date: dt.date | None = None,
    after_change: PlannedChange | None = None,
    after_milestone: Milestone | None = None,
    offset_days: int = 0,
    office_codes: Sequence[str] = (),
    agency: Agency | None = None,
    milestone: Milestone | None = None,
    new_office: dict[str, Any] | None = None,
    hours: Sequence[Sequence[Any]] = (),
    note: str = "",
    agencies_after_opening: Sequence[Agency] = (),
) -> PlannedChange:
    """Append a change to a draft plan (the forms check each kind's fields). Locks the plan
    row. ``agencies_after_opening``: for an opening, each agency's services are added at the
    new office by a change that follows it (offset 0), so they move with the opening's date.
    Raises NotADraft (409), DomainError (400) when the date rule is not met or the followed
    change belongs to another plan."""
    locked = _lock_draft(plan)
    if sum(x is not None for x in (on_date, after_change, after_milestone)) != 1:
        raise DomainError(
            _("Give a change a date, or the change or milestone it follows — one of them.")
        )
    if after_change is not None and after_change.plan_id != locked.pk:
        raise DomainError(_("A change can only follow a change of the same plan."))
    position = (locked.changes.aggregate(m=Max("position"))["m"] or 0) + 1
    change = PlannedChange.objects.create(
        plan=locked,
        position=position,
        kind=kind,
        on_date=on_date,
        after_change=after_change,
        after_milestone=after_milestone,
        offset_days=offset_days,
        office_codes=list(office_codes),
        agency=agency,
        milestone=milestone,
        new_office=new_office or {},
        hours=[[int(wd), str(a), str(b)] for wd, a, b in hours],
        note=note,
    )
    queries.resolved_dates(queries.plan_changes(locked))  # a cycle is refused (400), rolled back
    if kind == Kind.OPEN_OFFICE:
        for agency_ in agencies_after_opening:
            add_change(
                plan=locked,
                kind=Kind.ADD_SERVICES,
                after_change=change,
                office_codes=list(office_codes),
                agency=agency_,
            )
    renumber(locked)
    change.refresh_from_db(fields=["position"])
    return change


@transaction.atomic
def set_change_date(
    *,
    change: PlannedChange,
    on_date: dt.date | None = None,
    after_change: PlannedChange | None = None,
    after_milestone: Milestone | None = None,
    offset_days: int = 0,
) -> dict[int, dt.date]:
    """Give a change a new date (or anchor); everything that follows it moves with it.
    Returns the resolved dates of the plan. Locks the plan row; a cycle is refused (400)."""
    locked = _lock_draft(change.plan)
    if sum(x is not None for x in (on_date, after_change, after_milestone)) != 1:
        raise DomainError(
            _("Give a change a date, or the change or milestone it follows — one of them.")
        )
    if after_change is not None and after_change.plan_id != locked.pk:
        raise DomainError(_("A change can only follow a change of the same plan."))
    PlannedChange.objects.filter(pk=change.pk).update(
        on_date=on_date,
        after_change=after_change,
        after_milestone=after_milestone,
        offset_days=offset_days,
    )
    dates = queries.resolved_dates(queries.plan_changes(locked))  # a cycle is refused (400)
    renumber(locked)
    return dates


def check_removable(change: PlannedChange) -> None:
    """Raises what `remove_change` raises before deleting (NotADraft, ChangeInUse), for the
    confirmation step (decision 0069): a removal that would be refused is refused before the
    administrator is asked to confirm it."""
    plan = ChangePlan.objects.get(pk=change.plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise NotADraft()
    if plan.changes.filter(after_change=change).exists():
        raise ChangeInUse()


@transaction.atomic
def remove_change(*, change: PlannedChange) -> None:
    """Remove a change from a draft (not undone: the page asks to confirm first); refused
    (409) while other changes follow it."""
    locked = _lock_draft(change.plan)
    if locked.changes.filter(after_change=change).exists():
        raise ChangeInUse()
    PlannedChange.objects.filter(pk=change.pk).delete()
    renumber(locked)


@transaction.atomic
def new_version(*, plan: ChangePlan, user: User | None) -> ChangePlan:
    """A copy of ``plan`` as the next version of its name (a draft, whatever ``plan`` is),
    with every change and its anchors. Locks the rows of the plan's name so two copies
    cannot take the same number."""
    list(ChangePlan.objects.select_for_update().filter(name=plan.name).order_by("pk"))
    latest = ChangePlan.objects.filter(name=plan.name).aggregate(m=Max("version"))["m"] or 0
    copy = ChangePlan.objects.create(
        name=plan.name,
        version=latest + 1,
        based_on=plan,
        description=plan.description,
        created_by=user,
    )
    mapping: dict[int, PlannedChange] = {}
    rows = queries.plan_changes(plan)
    # anchors first: a change is copied after the change it follows
    pending = list(rows)
    while pending:
        progressed = False
        for c in list(pending):
            if c.after_change_id is not None and c.after_change_id not in mapping:
                continue
            mapping[c.pk] = PlannedChange.objects.create(
                plan=copy,
                position=c.position,
                kind=c.kind,
                on_date=c.on_date,
                after_change=mapping.get(c.after_change_id) if c.after_change_id else None,
                after_milestone=c.after_milestone,
                offset_days=c.offset_days,
                office_codes=c.office_codes,
                agency=c.agency,
                milestone=c.milestone,
                new_office=c.new_office,
                hours=c.hours,
                note=c.note,
            )
            pending.remove(c)
            progressed = True
        if not progressed:  # a cycle cannot be stored (add_change refuses it); be safe
            raise DomainError(_("The plan's changes follow each other in a circle."))
    return copy


DEFAULT_NEW_HOURS = [[wd, "10:00", "16:00"] for wd in range(5)]


@transaction.atomic
def add_openings_from_scenario(
    *,
    plan: ChangePlan,
    scenario: Scenario,
    on_date: dt.date,
    counters: int = 2,
    hours: Sequence[Sequence[Any]] | None = None,
    agencies: Sequence[Agency] = (),
) -> list[PlannedChange]:
    """One "open an office" change per site the saved planning result proposes to open,
    all on ``on_date`` (the sites' names, counties and points; codes made from the names,
    unique in the registry and the plan), and for each of ``agencies`` an "add services"
    change at the new office following its opening by 0 days (so it moves with it).
    ASSUMPTION stated on the page: the new offices get ``counters`` counters and
    Monday–Friday 10–16 unless ``hours`` says otherwise. Returns the openings. Raises
    DomainError (400) when the result opens no office."""
    opened = scenario.summary.get("opened") or []
    if not opened:
        raise DomainError(_("This planning result opens no office."))
    locked = _lock_draft(plan)
    return _add_openings(
        locked,
        opened,
        on_date=on_date,
        counters=counters,
        hours=hours,
        agencies=agencies,
        note=_("From planning result “%(name)s”") % {"name": scenario.name},
    )


def _add_openings(
    locked: ChangePlan,
    opened: Sequence[dict[str, Any]],
    *,
    on_date: dt.date,
    counters: int,
    hours: Sequence[Sequence[Any]] | None,
    agencies: Sequence[Agency],
    note: str,
) -> list[PlannedChange]:
    taken = set(Office.objects.values_list("code", flat=True))
    for c in locked.changes.filter(kind=Kind.OPEN_OFFICE):
        taken.update(c.office_codes or [])
    out = []
    for site in opened:
        base = slugify(str(site.get("name", ""))) or "office"
        code, n = base, 2
        while code in taken:
            code, n = f"{base}-{n}", n + 1
        taken.add(code)
        out.append(
            add_change(
                plan=locked,
                kind=Kind.OPEN_OFFICE,
                on_date=on_date,
                office_codes=[code],
                new_office={
                    "name": str(site.get("name", "")),
                    "municipality": str(site.get("name", "")),
                    "county": str(site.get("county", "")),
                    "latitude": float(site["latitude"]),
                    "longitude": float(site["longitude"]),
                    "counters": counters,
                },
                hours=hours if hours is not None else DEFAULT_NEW_HOURS,
                note=note,
                agencies_after_opening=agencies,
            )
        )
    return out


#: How the planner joins the codes of offices on one point into one place
#: (`planning.queries.SAME_PLACE_JOIN`): closing the place closes every office at it.
SAME_PLACE_JOIN = "+"


@transaction.atomic
def plan_from_planning(
    *,
    user: User | None,
    name: str,
    summary: dict[str, Any],
    on_date: dt.date,
    counters: int = 2,
    hours: Sequence[Sequence[Any]] | None = None,
    agencies: Sequence[Agency] = (),
    description: str = "",
) -> ChangePlan:
    """A new draft plan from a network-planning answer (walk F14): one "close an office"
    change per place the answer closes (the offices of one place together) and one opening
    per office it proposes (with ``agencies``' services following each, decision 0091), all
    on ``on_date``. The proposed outreach stops are not changes of the registry and are left
    out. Raises PlanExists (409) for a name taken, DomainError (400) when the answer neither
    opens nor closes an office, or opens some and no agency is given."""
    closed = [s for s in summary.get("closed") or [] if isinstance(s, dict)]
    opened = [s for s in summary.get("opened") or [] if isinstance(s, dict)]
    if not closed and not opened:
        raise DomainError(_("This planning answer neither opens nor closes an office."))
    if opened and not agencies:
        raise DomainError(
            _(
                "Choose at least one agency whose services the new offices offer: an office "
                "that offers nothing takes no visits."
            )
        )
    plan = create_plan(user=user, name=name, description=description)
    note = _("From network planning: %(question)s") % {"question": planning_question(summary)}
    for site in closed:
        add_change(
            plan=plan,
            kind=Kind.CLOSE_OFFICE,
            on_date=on_date,
            office_codes=str(site.get("code", "")).split(SAME_PLACE_JOIN),
            note=note,
        )
    if opened:
        _add_openings(
            _lock_draft(plan),
            opened,
            on_date=on_date,
            counters=counters,
            hours=hours,
            agencies=agencies,
            note=note,
        )
    return plan


def planning_question(summary: dict[str, Any]) -> str:
    """The question a planning answer answered, in words: "close 5 offices, most people
    within 25 km"."""
    request = summary.get("request") or {}
    km = f"{float(request.get('radius_km') or 0):g}"
    distance = request.get("objective") == "distance"
    if request.get("action") == "close":
        return (
            _("close %(n)s offices, shortest distance")
            if distance
            else _("close %(n)s offices, most people within %(km)s km")
        ) % {"n": request.get("n"), "km": km}
    if request.get("action") == "cover":
        return _("everyone within %(km)s km") % {"km": km}
    return (
        _("open %(k)s offices, shortest distance")
        if distance
        else _("open %(k)s offices, most people within %(km)s km")
    ) % {"k": request.get("k"), "km": km}


# --- adoption ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    plan: ChangePlan
    diff: Diff
    rows: int


@transaction.atomic
def adopt_plan(*, plan: ChangePlan, user: User | None) -> Adoption:
    """Write the plan into the registry: all of it in this transaction, or nothing.

    Locks, in this order: the rows of every version of the plan's name (a second adoption
    waits, then finds it adopted, or another version adopted after this one was made:
    NotADraft or Superseded, 409); the offices the plan names, in code order; the milestones it moves or follows.
    Then reads the registry, applies the plan (`registry_state.apply_plan`) and refuses with
    every conflict (AdoptionConflict, 409) before writing a row; else writes the difference
    (`registry_state.diff`), naming the plan in each office's and offering's source and in
    `AdoptedRow`. A constraint the database still refuses (a race outside the locked rows)
    rolls everything back as a conflict.
    """
    # every version of the name, in pk order (as `new_version`): two versions adopted at
    # once cannot both pass the superseded check
    list(ChangePlan.objects.select_for_update().filter(name=plan.name).order_by("pk"))
    locked = _lock_draft(plan)
    _refuse_superseded(locked)
    rows = queries.plan_changes(locked)
    if not rows:
        raise EmptyPlan()
    codes = sorted({code for c in rows for code in (c.office_codes or [])})
    list(Office.objects.select_for_update().filter(code__in=codes).order_by("code"))
    milestone_ids = sorted(
        {c.milestone_id for c in rows if c.milestone_id}
        | {c.after_milestone_id for c in rows if c.after_milestone_id}
    )
    list(Milestone.objects.select_for_update().filter(pk__in=milestone_ids).order_by("pk"))
    registry = queries.registry_state()
    changes, _dates = queries.pure_changes(rows, registry)
    after, conflicts = apply_plan(registry, changes, today=clock.local_today())
    if conflicts:
        raise AdoptionConflict(
            queries.conflict_messages(conflicts, rows, queries.plan_names(rows, registry))
        )
    d = diff(registry, after)
    try:
        with transaction.atomic():
            written = _write(d, locked)
    except IntegrityError as exc:
        raise AdoptionConflict([str(exc)]) from None
    locked.status = PlanStatus.ADOPTED
    locked.adopted_at = clock.now()
    locked.adopted_by = user
    locked.save(update_fields=["status", "adopted_at", "adopted_by"])
    return Adoption(locked, d, written)


def _write(d: Diff, plan: ChangePlan) -> int:
    registry_cache.registry_changed()  # the updates and bulk creates below send no signals
    label = plan.label
    milestone_pk = dict(Milestone.objects.values_list("code", "pk"))
    services = {
        (agency, code): pk
        for pk, code, agency in Service.objects.values_list("pk", "code", "agency__code")
    }
    log: list[AdoptedRow] = []

    def record(table: str, pk: int, action: str, what: str) -> None:
        log.append(AdoptedRow(plan=plan, table=table, object_id=pk, action=action, summary=what))

    def ms(code: str | None) -> int | None:
        return milestone_pk[code] if code else None

    for code, day in d.moved_milestones.items():
        Milestone.objects.filter(code=code).update(date=day)
        record(Row.MILESTONE, milestone_pk[code], "updated", f"{code} → {day}")
    for before, after in d.changed_offices:
        assert after.pk is not None
        Office.objects.filter(pk=after.pk).update(
            opened_on=after.opened_on,
            closed_on=after.closed_on,
            opened_with_id=ms(after.opened_with),
            closed_with_id=ms(after.closed_with),
        )
        record(
            Row.OFFICE,
            after.pk,
            "updated",
            f"{after.code}: {before.opened_on}–{before.closed_on or '…'} → "
            f"{after.opened_on}–{after.closed_on or '…'}",
        )
    office_pk = dict(Office.objects.values_list("code", "pk"))
    for o in d.new_offices:
        office = Office.objects.create(
            code=o.code,
            name=o.name,
            municipality=o.municipality,
            county=o.county,
            latitude=o.latitude,
            longitude=o.longitude,
            coordinate_source=CoordinateSource.ADMIN,
            position_approximate=True,
            opened_on=o.opened_on,
            opened_with_id=ms(o.opened_with),
            closed_on=o.closed_on,
            source=label,
        )
        ServicePoint.objects.bulk_create(
            ServicePoint(office=office, number=n) for n in range(1, o.counters + 1)
        )
        office_pk[o.code] = office.pk
        record(Row.OFFICE, office.pk, "created", f"{o.code} from {o.opened_on}")
    for before_f, after_f in d.changed_offerings:
        assert after_f.pk is not None
        Offering.objects.filter(pk=after_f.pk).update(
            valid_from=after_f.valid_from,
            valid_to=after_f.valid_to,
            starts_with_id=ms(after_f.starts_with),
            ends_with_id=ms(after_f.ends_with),
        )
        record(
            Row.OFFERING,
            after_f.pk,
            "updated",
            f"{after_f.office} {after_f.service}: {before_f.valid_from}–{before_f.valid_to or '…'}"
            f" → {after_f.valid_from}–{after_f.valid_to or '…'}",
        )
    for f in d.new_offerings:
        offering = Offering.objects.create(
            office_id=office_pk[f.office],
            service_id=services[(f.agency, f.service)],
            valid_from=f.valid_from,
            valid_to=f.valid_to,
            starts_with_id=ms(f.starts_with),
            ends_with_id=ms(f.ends_with),
            source=label,
        )
        record(Row.OFFERING, offering.pk, "created", f"{f.office} {f.service} from {f.valid_from}")
    for h in d.new_hours:
        period = OpeningHoursPeriod.objects.create(
            office_id=office_pk[h.office], valid_from=h.valid_from, valid_to=h.valid_to, name=""
        )
        WeeklyHours.objects.bulk_create(
            WeeklyHours(period=period, weekday=r.weekday, opens=r.opens, closes=r.closes)
            for r in h.rules
        )
        record(Row.HOURS, period.pk, "created", f"{h.office} from {h.valid_from}")
    AdoptedRow.objects.bulk_create(log)
    return len(log)
