"""Forms of the change-plan pages: each kind of change checks its own fields here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.changeplans.models import ChangeKind, ChangePlan, PlannedChange
from servicekontor.changeplans.weekdays import DEFAULT_HOURS, hours_words, weekday_number
from servicekontor.core import clock
from servicekontor.core.forms import PlainTextField
from servicekontor.network.choices import CountyField, OfficesField, office_groups
from servicekontor.network.models import Milestone, Office
from servicekontor.network.opening_hours import WeeklyRule, overlapping_rules
from servicekontor.planning.models import Scenario

_DAY = r"([^\W\d_]+\.?|\d)"
_HOURS_PART = re.compile(
    rf"^\s*{_DAY}(?:\s*[-–]\s*{_DAY})?\s+(\d{{1,2}}:\d{{2}})\s*[-–]\s*(\d{{1,2}}:\d{{2}})\s*$"
)


def parse_hours(text: str) -> list[list[Any]]:
    """Weekly hours from "Mon-Fri 10:00-16:00; Sat 10:00-14:00" (weekdays by name in either
    language, `weekdays.weekday_number`; the digits 0-6, 0 = Monday, of the first forms too;
    two parts on one day make a lunch break) as [[weekday, "HH:MM", "HH:MM"], …]. Raises
    ValidationError naming the part that cannot be read, a closing before an opening, or
    overlapping hours."""
    out: list[list[Any]] = []
    for part in filter(str.strip, text.split(";")):
        m = _HOURS_PART.match(part)
        days = (
            (weekday_number(m[1]), weekday_number(m[2] if m[2] is not None else m[1]))
            if m
            else (None, None)
        )
        if not m or days[0] is None or days[1] is None:
            raise ValidationError(
                _("“%(part)s”: write weekdays and hours as %(example)s.")
                % {"part": part.strip(), "example": hours_example()}
            )
        first, last = days[0], days[1]
        try:
            opens, closes = (
                dt.time.fromisoformat(m[3].zfill(5)),
                dt.time.fromisoformat(m[4].zfill(5)),
            )
        except ValueError:
            raise ValidationError(
                _("“%(part)s”: not a time of day.") % {"part": part.strip()}
            ) from None
        if not (0 <= first <= last <= 6) or closes <= opens:
            raise ValidationError(
                _("“%(part)s”: weekdays 0–6 in order, closing after opening.")
                % {"part": part.strip()}
            )
        out += [
            [wd, opens.strftime("%H:%M"), closes.strftime("%H:%M")] for wd in range(first, last + 1)
        ]
    rules = [WeeklyRule(wd, dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for wd, a, b in out]
    if overlapping_rules(rules):
        raise ValidationError(_("Two intervals on the same day overlap."))
    return out


def hours_example() -> str:
    """An example of weekly hours in the active language: "Mon-Fri 10:00-16:00; Sat
    10:00-14:00"."""
    return hours_words([*DEFAULT_HOURS, [5, "10:00", "14:00"]])


def default_hours_text() -> str:
    """`weekdays.DEFAULT_HOURS` as the forms show it ("Mon-Fri 10:00-16:00")."""
    return hours_words(DEFAULT_HOURS)


# A plan looks this many years ahead and back from today: far enough for any reorganisation
# (an assumption), near enough that the timeline's axis stays readable (walk finding F9).
HORIZON_YEARS = 20
MAX_TEXT = 2000  # the longest free text a plan's fields take (description, note, lists)


def horizon(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last date a change may have (HORIZON_YEARS around `today`)."""
    days = round(HORIZON_YEARS * 365.25)
    return today - dt.timedelta(days=days), today + dt.timedelta(days=days)


def validate_within_horizon(day: dt.date) -> None:
    """From today (a plan changes the network from today on: a past date would move the
    plan's baseline into the past and credit its first step with everything since; past
    changes are recorded in the registry) to HORIZON_YEARS ahead."""
    today = clock.local_today()
    if day < today:
        raise ValidationError(
            _(
                "%(date)s is before today (%(today)s): a plan changes the network from today "
                "on. Give a date from today; record past changes in the registry."
            )
            % {"date": day.isoformat(), "today": today.isoformat()},
            code="in_past",
        )
    first, last = horizon(today)
    if not first <= day <= last:
        raise ValidationError(
            _("Give a date within %(years)s years of today: %(first)s to %(last)s.")
            % {"years": HORIZON_YEARS, "first": first.isoformat(), "last": last.isoformat()},
            code="out_of_range",
        )


class PlanForm(forms.Form):
    name = PlainTextField(label=_("Name"), max_length=120)
    description = PlainTextField(
        multiline=True,
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ChangeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.position}. {obj.get_kind_display()}"


DateRuleChoices = tuple[list[tuple[Any, Any]], list[tuple[Any, Any]]]


class DateRuleForm(forms.Form):
    """A change's date: its own, or days after another change or a milestone."""

    on_date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_within_horizon],
    )
    after_change = ChangeChoiceField(
        label=_("or after change"), queryset=PlannedChange.objects.none(), required=False
    )
    after_milestone = forms.ModelChoiceField(
        label=_("or after milestone"), queryset=Milestone.objects.order_by("date"), required=False
    )
    offset_days = forms.IntegerField(
        label=_("days after"),
        initial=0,
        required=False,
        min_value=-round(HORIZON_YEARS * 365.25),
        max_value=round(HORIZON_YEARS * 365.25),
    )

    def __init__(
        self,
        *args: Any,
        plan: ChangePlan,
        exclude: int | None = None,
        choices: DateRuleChoices | None = None,
        **kwargs: Any,
    ) -> None:
        """``choices``: the lists `shared_choices` read once for the plan (the plan page
        shows a form per change, each listing the same changes and milestones; read per
        form they were two statements a change). Validation still reads the querysets."""
        super().__init__(*args, **kwargs)
        qs = plan.changes.order_by("position")
        if exclude is not None:
            qs = qs.exclude(pk=exclude)
        self.fields["after_change"].queryset = qs  # type: ignore[attr-defined]
        if choices is not None:
            changes, milestones = choices
            self.fields["after_change"].choices = [  # type: ignore[attr-defined]
                (value, label)
                for value, label in changes
                if exclude is None or getattr(value, "value", None) != exclude
            ]
            self.fields["after_milestone"].choices = milestones  # type: ignore[attr-defined]

    @classmethod
    def shared_choices(cls, plan: ChangePlan) -> DateRuleChoices:
        """The options of every change's form of ``plan`` (all its changes: each form
        leaves out its own), as the fields list them."""
        fields = cls(plan=plan).fields
        return (
            list(fields["after_change"].choices),  # type: ignore[attr-defined]
            list(fields["after_milestone"].choices),  # type: ignore[attr-defined]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fields = ("on_date", "after_change", "after_milestone")
        if any(self.has_error(k) for k in fields):
            # A date that is not one (2027-02-30) has its own error: it was given, so "give
            # a date, or …" would be wrong.
            return data
        given = [k for k in fields if data.get(k)]
        if len(given) != 1:
            raise ValidationError(
                _("Give a change a date, or the change or milestone it follows — one of them.")
            )
        data["offset_days"] = data.get("offset_days") or 0
        if data.get("on_date") and data["offset_days"]:
            raise ValidationError(_("Days after only apply to a change that follows another."))
        return data


class ChangeForm(DateRuleForm):
    kind = forms.ChoiceField(label=_("Change"), choices=ChangeKind.choices)
    # By name, grouped by county, the plan's own openings last (walk F15: codes were typed)
    offices = OfficesField(
        label=_("Offices"),
        required=False,
        help_text=_(
            "Choose by name, grouped by county; Ctrl-click (⌘-click on a Mac) chooses "
            "several. Offices opened earlier in the plan are listed last."
        ),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("name_sv"), required=False
    )
    milestone = forms.ModelChoiceField(
        label=_("Milestone to move"), queryset=Milestone.objects.order_by("date"), required=False
    )
    code = forms.SlugField(label=_("New office: code"), required=False, max_length=60)
    name = PlainTextField(label=_("New office: name"), required=False, max_length=120)
    municipality = PlainTextField(
        label=_("New office: municipality"), required=False, max_length=80
    )
    county = CountyField(label=_("New office: county"), required=False)
    latitude = forms.FloatField(
        label=_("New office: latitude"), required=False, min_value=55, max_value=70
    )
    longitude = forms.FloatField(
        label=_("New office: longitude"), required=False, min_value=10, max_value=25
    )
    counters = forms.IntegerField(
        label=_("New office: desks"), required=False, min_value=1, max_value=50, initial=2
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("New office: agencies offered"),
        queryset=Agency.objects.order_by("name_sv"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each gets its services at the new office from the opening day. An opening needs "
            "at least one: an office that offers nothing takes no visits."
        ),
    )
    hours = forms.CharField(
        label=_("Weekly hours"),
        required=False,
        max_length=200,
        initial=default_hours_text,
        help_text=_(
            "For an opening or new hours, e.g. Mon-Fri 10:00-16:00; Sat 10:00-14:00 (two "
            "intervals on one day make a lunch break). An opening gets Monday–Friday 10–16 "
            "unless you change it."
        ),
    )
    note = PlainTextField(label=_("Note"), required=False, max_length=MAX_TEXT)

    GROUPS = (
        (_("What and when"), ("kind", "on_date", "after_change", "after_milestone", "offset_days")),
        (_("Close, services or hours: the offices"), ("offices", "agency")),
        (
            _("Open an office: the new office"),
            (
                "code",
                "name",
                "municipality",
                "county",
                "latitude",
                "longitude",
                "counters",
                "agencies",
            ),
        ),
        (_("Opening or new hours"), ("hours",)),
        (_("Move a milestone"), ("milestone",)),
        (_("Note"), ("note",)),
    )

    def __init__(self, *args: Any, plan: ChangePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.plan = plan
        self.fields["offices"].choices = self._office_choices  # type: ignore[attr-defined]

    def _office_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The registry's offices by county, then the plan's openings (read when shown)."""
        openings = [
            (
                (c.office_codes or [""])[0],
                str((c.new_office or {}).get("name") or (c.office_codes or [""])[0]),
                str((c.new_office or {}).get("county") or ""),
            )
            for c in self.plan.changes.filter(kind=ChangeKind.OPEN_OFFICE).order_by("position")
        ]
        return office_groups(extra=[o for o in openings if o[0]])

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in fieldsets for the page (each field once)."""
        return [(str(legend), [self[name] for name in names]) for legend, names in self.GROUPS]

    def _office_names(self, codes: list[str]) -> dict[str, str]:
        """The offices' names as the plan page shows them (the plan's openings too)."""
        names = {
            (c.office_codes or [""])[0]: str((c.new_office or {}).get("name") or "")
            for c in self.plan.changes.filter(kind=ChangeKind.OPEN_OFFICE)
        }
        names.update(Office.objects.filter(code__in=codes).values_list("code", "name"))
        return {code: name for code, name in names.items() if name}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        codes = list(data.get("offices") or [])
        # The hours field is filled in by default (an opening's Monday–Friday 10–16): only
        # an opening and new hours take it, the other kinds leave it.
        takes_hours = kind in (ChangeKind.OPEN_OFFICE, ChangeKind.CHANGE_HOURS)
        hours = parse_hours(data.get("hours") or "") if data.get("hours") and takes_hours else []
        data["hours_rows"] = hours
        data["office_codes"] = codes
        data["new_office"] = {}
        if kind == ChangeKind.OPEN_OFFICE:
            missing = [
                str(self.fields[f].label)
                for f in ("code", "name", "county", "latitude", "longitude")
                if data.get(f) in (None, "") and not self.has_error(f)  # else its own error
            ]
            if missing:
                raise ValidationError(
                    _("An opening needs: %(fields)s.") % {"fields": ", ".join(missing)}
                )
            if any(self.has_error(f) for f in ("code", "name", "county", "latitude", "longitude")):
                return data  # each says why at its field (a county not in the list, a latitude
                # outside Sweden: a 500 before, the value being absent from the cleaned data)
            if not hours:
                raise ValidationError(_("Give the new office its weekly hours."))
            if not data.get("agencies") and not self.has_error("agencies"):
                self.add_error(
                    "agencies",
                    _(
                        "Choose at least one agency whose services the new office offers: an "
                        "office that offers nothing takes no visits."
                    ),
                )
            planned = {
                code
                for c in self.plan.changes.filter(kind=ChangeKind.OPEN_OFFICE)
                for code in (c.office_codes or [])
            }
            if data["code"] in planned or Office.objects.filter(code=data["code"]).exists():
                raise ValidationError(
                    _("An office with the code %(code)s exists already; choose another.")
                    % {"code": data["code"]}
                )
            data["office_codes"] = [data["code"]]
            data["new_office"] = {
                "name": data["name"],
                "municipality": data.get("municipality") or "",
                "county": data["county"],
                "latitude": data["latitude"],
                "longitude": data["longitude"],
                "counters": data.get("counters") or 2,
            }
            return data
        if kind == ChangeKind.MOVE_MILESTONE:
            if not data.get("milestone") and not self.has_error("milestone"):
                raise ValidationError(_("Choose the milestone to move; the date is its new date."))
            return data
        if not codes:
            raise ValidationError(_("Name the offices the change acts on."))
        known = set(Office.objects.filter(code__in=codes).values_list("code", flat=True))
        for c in self.plan.changes.filter(kind=ChangeKind.OPEN_OFFICE):
            known.update(c.office_codes or [])
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(
                _("No office with the code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        if kind == ChangeKind.CLOSE_OFFICE:
            for step in self.plan.changes.filter(kind=ChangeKind.CLOSE_OFFICE).order_by("position"):
                again = [c for c in codes if c in (step.office_codes or [])]
                if again:
                    names = self._office_names(again)
                    raise ValidationError(
                        _(
                            "Change %(position)s already closes %(offices)s; change its date "
                            "instead."
                        )
                        % {
                            "position": step.position,
                            "offices": ", ".join(names.get(c, c) for c in again),
                        }
                    )
        if kind in (ChangeKind.ADD_SERVICES, ChangeKind.REMOVE_SERVICES) and not data.get("agency"):
            raise ValidationError(_("Choose the agency."))
        if kind == ChangeKind.CHANGE_HOURS and not hours:
            raise ValidationError(_("Give the new weekly hours."))
        return data


class ScenarioForm(forms.Form):
    scenario = forms.ModelChoiceField(
        label=_("Saved planning result"), queryset=Scenario.objects.all()
    )
    on_date = forms.DateField(
        label=_("Opening date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_within_horizon],
    )
    counters = forms.IntegerField(
        label=_("Desks per new office"), min_value=1, max_value=50, initial=2
    )
    hours = forms.CharField(label=_("Weekly hours"), initial=default_hours_text, max_length=200)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies offered at the new offices"),
        queryset=Agency.objects.order_by("name_sv"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one: an office that offers nothing takes no visits."),
        error_messages={
            "required": _(
                "Choose at least one agency whose services the new offices offer: an office "
                "that offers nothing takes no visits."
            )
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: it shares the plan page with the add-change form, whose date, hours,
        # counters and agencies have the same names (the walk: two id="id_on_date", so the
        # label "Opening date" focused the other form's field)
        kwargs.setdefault("auto_id", "scenario_%s")
        super().__init__(*args, **kwargs)

    def clean_hours(self) -> list[list[Any]]:
        return parse_hours(self.cleaned_data["hours"])


#: A change made from a planning answer is dated, unless the planner says otherwise, on the
#: first day of the first month that begins at least this many days from today: notice for
#: the staff, the premises and the citizens (ASSUMPTION, stated on the page; decision 0101).
NOTICE_DAYS = 90


def default_change_date(today: dt.date) -> dt.date:
    """The first day of the first month beginning at least NOTICE_DAYS after ``today``."""
    day = today + dt.timedelta(days=NOTICE_DAYS)
    if day.day == 1:
        return day
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


class FromPlanningForm(forms.Form):
    """ "Make this a change plan" of a network-planning answer (walk F14): the plan's name,
    the date of its steps and, when the answer opens offices, what the new offices offer."""

    payload = forms.CharField(widget=forms.HiddenInput)
    name = PlainTextField(label=_("Name of the change plan"), max_length=120)
    on_date = forms.DateField(
        label=_("Date of the changes"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_within_horizon],
        help_text=_(
            "Every closing and opening of the answer on this day; move them one by one on the plan's page."
        ),
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies offered at the new offices"),
        queryset=Agency.objects.order_by("name_sv"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("At least one: an office that offers nothing takes no visits."),
    )
    counters = forms.IntegerField(
        label=_("Desks per new office"), min_value=1, max_value=50, initial=2
    )
    hours = forms.CharField(label=_("Weekly hours"), initial=default_hours_text, max_length=200)

    def __init__(self, *args: Any, opens: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opens = opens
        self.fields["on_date"].initial = default_change_date(clock.local_today())
        if not opens:  # nothing to offer: a closing answer asks only for the name and date
            for name in ("agencies", "counters", "hours"):
                del self.fields[name]

    def clean_hours(self) -> list[list[Any]]:
        return parse_hours(self.cleaned_data["hours"])

    def clean_agencies(self) -> Any:
        agencies = self.cleaned_data.get("agencies")
        if self.opens and not agencies:
            raise ValidationError(
                _(
                    "Choose at least one agency whose services the new offices offer: an "
                    "office that offers nothing takes no visits."
                )
            )
        return agencies


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(label=_("Plan A"), queryset=ChangePlan.objects.all())
    b = forms.ModelChoiceField(label=_("Plan B"), queryset=ChangePlan.objects.all())
