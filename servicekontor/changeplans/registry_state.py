"""The registry as dated facts, and a change plan applied to it.

Pure (no Django). `queries.registry_state()` reads the registry into a :class:`Registry`;
:func:`apply_plan` returns the registry as it would be after the plan (and the conflicts that
stop it); :func:`network_on` gives the network operating on a day, the same rule as the
registry's (`network.dates.DateSpan`: an office operates from ``opened_on`` to the day before
``closed_on``; an offering from ``valid_from`` to ``valid_to`` inclusive; the newest opening-
hours period covering a day wins). Evaluation and adoption both use these, so what a step
shows is what adoption writes (`diff` gives the rows to write).

What each kind of change does (the same in evaluation and adoption):

- open an office: a new office from the day (code, name, place, counters, weekly hours);
- close an office: ``closed_on`` = the day; its offerings running past it end the day before;
- add an agency's services at offices: one offering per service of the agency from the day;
- remove them: the agency's offerings valid on the day end the day before;
- change opening hours: a new hours period from the day (the newest period wins);
- move a milestone: its date, and the offices and offerings that open, close, start or end
  with it (`network.services.move_milestone`'s rule).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from servicekontor.network.dates import ONE_DAY, DateSpan
from servicekontor.network.opening_hours import WeeklyRule


class Kind(enum.StrEnum):
    OPEN_OFFICE = "open_office"
    CLOSE_OFFICE = "close_office"
    ADD_SERVICES = "add_services"
    REMOVE_SERVICES = "remove_services"
    CHANGE_HOURS = "change_hours"
    MOVE_MILESTONE = "move_milestone"


@dataclass(frozen=True)
class OfficeFact:
    code: str
    name: str
    county: str
    latitude: float
    longitude: float
    opened_on: dt.date
    closed_on: dt.date | None = None
    opened_with: str | None = None  # milestone code
    closed_with: str | None = None
    municipality: str = ""
    counters: int = 0  # only read for offices the plan opens
    pk: int | None = None
    #: the office's desks in use (not the video rooms); 0: none known (an office the plan
    #: opens has its ``counters``)
    desks: int = 0

    def operates_on(self, day: dt.date) -> bool:
        return DateSpan.operating(self.opened_on, self.closed_on).contains(day)


@dataclass(frozen=True)
class OfferingFact:
    """An offering; a service is named by its agency and code (codes repeat across
    agencies, e.g. "e-tjanster")."""

    office: str
    service: str
    agency: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    starts_with: str | None = None
    ends_with: str | None = None
    pk: int | None = None

    def valid_on(self, day: dt.date) -> bool:
        return DateSpan(self.valid_from, self.valid_to).contains(day)


@dataclass(frozen=True)
class HoursFact:
    office: str
    valid_from: dt.date
    valid_to: dt.date | None
    rules: tuple[WeeklyRule, ...]
    pk: int | None = None


@dataclass(frozen=True)
class Registry:
    offices: Mapping[str, OfficeFact]
    offerings: tuple[OfferingFact, ...]
    hours: tuple[HoursFact, ...]
    milestones: Mapping[str, dt.date]
    services: Mapping[str, tuple[str, ...]]  # agency code -> its service codes


@dataclass(frozen=True)
class NewOffice:
    code: str
    name: str
    county: str
    latitude: float
    longitude: float
    municipality: str = ""
    counters: int = 2


@dataclass(frozen=True)
class Change:
    """One change with its resolved date. ``with_milestone``: the milestone the change is
    tied to (anchored to it with offset 0), recorded on the rows adoption writes so that a
    later move of the milestone moves them too."""

    key: int
    kind: Kind
    day: dt.date
    offices: tuple[str, ...] = ()
    agency: str | None = None
    milestone: str | None = None  # the milestone a MOVE_MILESTONE change moves
    new_office: NewOffice | None = None
    rules: tuple[WeeklyRule, ...] = ()
    with_milestone: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Conflict:
    """Why a change cannot be applied: ``code`` names the rule, ``params`` fill its message
    (the Django side words it, in the user's language, and names the offices, services and
    agencies the params give by code; a service comes with its agency, as codes repeat across
    agencies)."""

    key: int
    code: str
    params: Mapping[str, str] = field(default_factory=dict)


def openings_without_services(after: Registry, changes: Iterable[Change]) -> list[Change]:
    """The plan's openings whose office has no agency's offering on any day from its
    opening on, in ``after`` (the registry after the plan): such an office takes no visits
    and needs no staff, which the effect of the plan would show without saying why."""
    return [
        c
        for c in ordered(changes)
        if c.kind is Kind.OPEN_OFFICE
        and c.new_office is not None
        and not any(
            o.office == c.new_office.code and (o.valid_to is None or o.valid_to >= c.day)
            for o in after.offerings
        )
    ]


def ordered(changes: Iterable[Change]) -> list[Change]:
    """Changes in the order they apply: by date, then by their position in the plan."""
    return sorted(changes, key=lambda c: (c.day, c.position, c.key))


def first_effect_day(c: Change, milestones: Mapping[str, dt.date]) -> dt.date:
    """The first day ``c`` alters the network: its date; a milestone move the earlier of the
    milestone's current and new dates (moved later, what was due on the old date is not)."""
    if c.kind is Kind.MOVE_MILESTONE and c.milestone is not None and c.milestone in milestones:
        return min(c.day, milestones[c.milestone])
    return c.day


def in_past(c: Change, milestones: Mapping[str, dt.date], today: dt.date) -> bool:
    """Whether ``c`` would change the network before ``today`` (a plan changes the network
    from today on; past changes belong in the registry: docs/decisions, "past dates")."""
    return first_effect_day(c, milestones) < today


def step_networks(
    registry: Registry, changes: Sequence[Change], days: Sequence[dt.date]
) -> list[tuple[dt.date, tuple[OfficeOnDay, ...], tuple[OfficeOnDay, ...]]]:
    """Per step day d: (d, the network on d with the plan's changes before d, the network on d
    with the plan's changes up to and including d). Both on the same day, so the difference
    is the step's own: the registry's other changes (between steps, or on d) are in both."""
    out = []
    for d in days:
        before, _ = apply_plan(
            registry, [c for c in changes if first_effect_day(c, registry.milestones) < d]
        )
        after, _ = apply_plan(
            registry, [c for c in changes if first_effect_day(c, registry.milestones) <= d]
        )
        out.append((d, network_on(before, d), network_on(after, d)))
    return out


def apply_plan(
    registry: Registry, changes: Iterable[Change], *, today: dt.date | None = None
) -> tuple[Registry, list[Conflict]]:
    """The registry after ``changes`` (applied in date order), and every conflict found.

    A change with a conflict is skipped and the rest still applied, so that all conflicts are
    reported at once; adoption writes nothing when the list is not empty. With ``today``, a
    change that would alter the network before it (`in_past`) is a conflict ("in_past").
    """
    offices = dict(registry.offices)
    offerings = list(registry.offerings)
    hours = list(registry.hours)
    milestones = dict(registry.milestones)
    conflicts: list[Conflict] = []
    changes = ordered(changes)
    # An office the plan opens: a change before its opening day names it by its date, not
    # as unknown ("there is no office nyby" read as a typo in the code).
    opens = {c.new_office.code: c.day for c in changes if c.new_office is not None}
    for change in changes:
        if today is not None and in_past(change, registry.milestones, today):
            day = first_effect_day(change, registry.milestones)
            params = {"date": day.isoformat(), "today": today.isoformat()}
            conflicts.append(Conflict(change.key, "in_past", params))
            continue
        found = _apply(change, offices, offerings, hours, milestones, registry.services, opens)
        conflicts.extend(found)
    after = Registry(
        offices=offices,
        offerings=tuple(offerings),
        hours=tuple(hours),
        milestones=milestones,
        services=registry.services,
    )
    return after, conflicts + _serving_nobody(after, changes, conflicts)


def _serving_nobody(
    after: Registry, changes: Sequence[Change], found: Sequence[Conflict]
) -> list[Conflict]:
    """An office the plan leaves operating without any agency's services is a conflict
    (walk F10): it takes no visits, yet would count as access and cost a month. Two ways: an
    opening with no agency's services from its opening on ("opens_without_services"), and a
    removal after which the office offers nothing on that day ("left_without_services").
    Changes and offices already named by another conflict are not judged again (services
    added before the opening are refused as such)."""
    refused = {x.key for x in found}
    named = {x.params.get("office") for x in found}
    out = [
        Conflict(c.key, "opens_without_services", {"office": c.new_office.code})
        for c in openings_without_services(after, changes)
        if c.key not in refused and c.new_office is not None and c.new_office.code not in named
    ]
    for c in changes:
        if c.kind is not Kind.REMOVE_SERVICES or c.key in refused:
            continue
        for code in c.offices:
            office = after.offices.get(code)
            if office is None or not office.operates_on(c.day):
                continue
            if not any(o.office == code and o.valid_on(c.day) for o in after.offerings):
                params = {"office": code, "date": c.day.isoformat()}
                out.append(Conflict(c.key, "left_without_services", params))
    return out


def _apply(
    c: Change,
    offices: dict[str, OfficeFact],
    offerings: list[OfferingFact],
    hours: list[HoursFact],
    milestones: dict[str, dt.date],
    services: Mapping[str, tuple[str, ...]],
    opens: Mapping[str, dt.date],
) -> list[Conflict]:
    day = c.day
    out: list[Conflict] = []
    if c.kind == Kind.OPEN_OFFICE:
        new = c.new_office
        if new is None:
            return [Conflict(c.key, "incomplete")]
        if new.code in offices:
            return [Conflict(c.key, "code_taken", {"office": new.code})]
        offices[new.code] = OfficeFact(
            code=new.code,
            name=new.name,
            county=new.county,
            latitude=new.latitude,
            longitude=new.longitude,
            opened_on=day,
            opened_with=c.with_milestone,
            municipality=new.municipality,
            counters=new.counters,
        )
        if c.rules:
            hours.append(HoursFact(new.code, day, None, c.rules))
        return []
    if c.kind == Kind.MOVE_MILESTONE:
        return _move_milestone(c, offices, offerings, milestones)
    # the rest act on existing offices, each checked on its own
    for code in c.offices:
        office = offices.get(code)
        if office is None and code in opens:
            params = {"office": code, "date": day.isoformat(), "opens": opens[code].isoformat()}
            out.append(Conflict(c.key, "before_opening", params))
            continue
        if office is None:
            out.append(Conflict(c.key, "unknown_office", {"office": code}))
            continue
        if c.kind == Kind.CLOSE_OFFICE:
            if office.closed_on is not None:
                out.append(
                    Conflict(
                        c.key,
                        "already_closing",
                        {"office": code, "date": office.closed_on.isoformat()},
                    )
                )
                continue
            if not office.operates_on(day):
                out.append(_not_operating(c, code))
                continue
            offices[code] = replace(office, closed_on=day, closed_with=c.with_milestone)
            for i, o in enumerate(offerings):
                if o.office != code:
                    continue
                if o.valid_from >= day:
                    out.append(
                        Conflict(
                            c.key,
                            "offering_after_closing",
                            {
                                "office": code,
                                "service": o.service,
                                "agency": o.agency,
                                "date": o.valid_from.isoformat(),
                            },
                        )
                    )
                elif o.valid_to is None or o.valid_to >= day:
                    offerings[i] = replace(o, valid_to=day - ONE_DAY, ends_with=c.with_milestone)
            continue
        if not office.operates_on(day):
            out.append(_not_operating(c, code))
            continue
        if c.kind == Kind.ADD_SERVICES:
            agency = c.agency or ""
            codes = services.get(agency, ())
            if not codes:
                out.append(Conflict(c.key, "agency_without_services", {"agency": agency}))
                continue
            end = None if office.closed_on is None else office.closed_on - ONE_DAY
            for service in codes:
                clash = next(
                    (
                        o
                        for o in offerings
                        if o.office == code
                        and o.agency == agency
                        and o.service == service
                        and DateSpan(o.valid_from, o.valid_to).overlaps(DateSpan(day, end))
                    ),
                    None,
                )
                if clash is not None:
                    out.append(
                        Conflict(
                            c.key,
                            "already_offered",
                            {
                                "office": code,
                                "service": service,
                                "agency": agency,
                                "date": clash.valid_from.isoformat(),
                            },
                        )
                    )
                    continue
                offerings.append(
                    OfferingFact(
                        office=code,
                        service=service,
                        agency=agency,
                        valid_from=day,
                        valid_to=end,
                        starts_with=c.with_milestone,
                    )
                )
        elif c.kind == Kind.REMOVE_SERVICES:
            hit = False
            drop: list[int] = []
            for i, o in enumerate(offerings):
                if o.office != code or o.agency != c.agency:
                    continue
                if o.valid_on(day) and o.valid_from == day:
                    hit = True
                    if o.pk is None:  # added earlier by this plan: it never starts
                        drop.append(i)
                    else:
                        out.append(
                            Conflict(
                                c.key,
                                "removal_on_first_day",
                                {
                                    "office": code,
                                    "service": o.service,
                                    "agency": o.agency,
                                    "date": day.isoformat(),
                                },
                            )
                        )
                elif o.valid_on(day):
                    offerings[i] = replace(o, valid_to=day - ONE_DAY, ends_with=c.with_milestone)
                    hit = True
                elif o.valid_from > day:
                    out.append(
                        Conflict(
                            c.key,
                            "offering_after_removal",
                            {
                                "office": code,
                                "service": o.service,
                                "agency": o.agency,
                                "date": o.valid_from.isoformat(),
                            },
                        )
                    )
            for i in reversed(drop):
                del offerings[i]
            if not hit:
                out.append(
                    Conflict(c.key, "not_offered", {"office": code, "agency": c.agency or ""})
                )
        elif c.kind == Kind.CHANGE_HOURS:
            if any(h.office == code and h.valid_from == day for h in hours):
                out.append(
                    Conflict(c.key, "hours_same_day", {"office": code, "date": day.isoformat()})
                )
                continue
            hours.append(HoursFact(code, day, None, c.rules))
    return out


def _not_operating(c: Change, code: str) -> Conflict:
    return Conflict(c.key, "not_operating", {"office": code, "date": c.day.isoformat()})


def _move_milestone(
    c: Change,
    offices: dict[str, OfficeFact],
    offerings: list[OfferingFact],
    milestones: dict[str, dt.date],
) -> list[Conflict]:
    code = c.milestone or ""
    if code not in milestones:
        return [Conflict(c.key, "unknown_milestone", {"milestone": code})]
    new = c.day
    out: list[Conflict] = []
    for office_code, o in list(offices.items()):
        opened = new if o.opened_with == code else o.opened_on
        closed = new if o.closed_with == code else o.closed_on
        if (opened, closed) == (o.opened_on, o.closed_on):
            continue
        if closed is not None and closed <= opened:
            out.append(Conflict(c.key, "milestone_breaks_office", {"office": office_code}))
            continue
        offices[office_code] = replace(o, opened_on=opened, closed_on=closed)
    for i, f in enumerate(offerings):
        start = new if f.starts_with == code else f.valid_from
        end = new - ONE_DAY if f.ends_with == code else f.valid_to
        if (start, end) == (f.valid_from, f.valid_to):
            continue
        if end is not None and end < start:
            out.append(
                Conflict(
                    c.key,
                    "milestone_breaks_offering",
                    {"office": f.office, "service": f.service, "agency": f.agency},
                )
            )
            continue
        offerings[i] = replace(f, valid_from=start, valid_to=end)
    milestones[code] = new
    return out


# --- the network on a day ------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeOnDay:
    code: str
    name: str
    county: str
    latitude: float
    longitude: float
    agencies: frozenset[str]
    rules: tuple[WeeklyRule, ...]  # the weekly hours in force that day
    desks: int = 0  # desks in use (an office the plan opens: its counters); 0: none known


def network_on(registry: Registry, day: dt.date) -> tuple[OfficeOnDay, ...]:
    """The offices operating on ``day``, in code order, each with the agencies it offers
    that day and its weekly hours then (the newest period covering the day)."""
    agencies: dict[str, set[str]] = {}
    for o in registry.offerings:
        if o.valid_on(day):
            agencies.setdefault(o.office, set()).add(o.agency)
    rules: dict[str, tuple[dt.date, tuple[WeeklyRule, ...]]] = {}
    for h in registry.hours:
        if DateSpan(h.valid_from, h.valid_to).contains(day):
            best = rules.get(h.office)
            if best is None or h.valid_from > best[0]:
                rules[h.office] = (h.valid_from, h.rules)
    return tuple(
        OfficeOnDay(
            code=o.code,
            name=o.name,
            county=o.county,
            latitude=o.latitude,
            longitude=o.longitude,
            agencies=frozenset(agencies.get(o.code, ())),
            rules=rules.get(o.code, (dt.date.min, ()))[1],
            desks=o.desks or o.counters,
        )
        for code, o in sorted(registry.offices.items())
        if o.operates_on(day)
    )


# --- what adoption writes ------------------------------------------------------------------


@dataclass(frozen=True)
class Diff:
    new_offices: tuple[OfficeFact, ...]
    changed_offices: tuple[tuple[OfficeFact, OfficeFact], ...]  # (before, after)
    new_offerings: tuple[OfferingFact, ...]
    changed_offerings: tuple[tuple[OfferingFact, OfferingFact], ...]
    new_hours: tuple[HoursFact, ...]
    moved_milestones: Mapping[str, dt.date]

    @property
    def empty(self) -> bool:
        return not (
            self.new_offices
            or self.changed_offices
            or self.new_offerings
            or self.changed_offerings
            or self.new_hours
            or self.moved_milestones
        )


def diff(before: Registry, after: Registry) -> Diff:
    """The rows that turn ``before`` into ``after`` (``after`` from :func:`apply_plan` on
    ``before``: existing rows keep their pk, new ones have none).

    Changed offerings come shrinking ones first: writing them in this order never makes two
    offerings of the same service overlap half-way (the registry refuses overlaps)."""
    old_offerings = {o.pk: o for o in before.offerings if o.pk is not None}
    changed = [
        (old_offerings[o.pk], o)
        for o in after.offerings
        if o.pk is not None and old_offerings[o.pk] != o
    ]

    def grows(pair: tuple[OfferingFact, OfferingFact]) -> bool:
        a, b = pair
        end_a = a.valid_to or dt.date.max
        end_b = b.valid_to or dt.date.max
        return b.valid_from < a.valid_from or end_b > end_a

    changed.sort(key=grows)
    return Diff(
        new_offices=tuple(o for c, o in sorted(after.offices.items()) if c not in before.offices),
        changed_offices=tuple(
            (before.offices[c], o)
            for c, o in sorted(after.offices.items())
            if c in before.offices and before.offices[c] != o
        ),
        new_offerings=tuple(o for o in after.offerings if o.pk is None),
        changed_offerings=tuple(changed),
        new_hours=tuple(h for h in after.hours if h.pk is None),
        moved_milestones={
            c: d for c, d in sorted(after.milestones.items()) if before.milestones.get(c) != d
        },
    )


def offices_touched(changes: Sequence[Change]) -> set[str]:
    """Codes of the existing offices the changes name (for the adoption's row locks)."""
    return {code for c in changes for code in c.offices}
