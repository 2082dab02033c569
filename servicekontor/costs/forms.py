"""Forms of the costs pages: parse and check the query, nothing else."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.core import clock, params
from servicekontor.core.forms import PlainTextField
from servicekontor.costs import allocation
from servicekontor.costs.models import CostPool, DriverChoice, Settlement
from servicekontor.costs.periods import month_end, next_month
from servicekontor.costs.queries import CONFIGURED
from servicekontor.network.choices import office_groups
from servicekontor.network.models import Office


class MonthField(forms.CharField):
    """YYYY-MM → the month's first day."""

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        value = super().to_python(value)
        if not value:
            return None
        try:
            return params.parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(
        label=_("Month (empty: the whole year)"), min_value=1, max_value=12, required=False
    )


DRIVER_OPTIONS = [
    (CONFIGURED, _("Each pool's own driver")),
    *[(v, label) for v, label in DriverChoice.choices if v != DriverChoice.MIX],
]


class CompareForm(forms.Form):
    month = MonthField(label=_("Month (YYYY-MM)"))
    a = forms.ChoiceField(label=_("Driver A"), choices=DRIVER_OPTIONS, initial=CONFIGURED)
    b = forms.ChoiceField(label=_("Driver B"), choices=DRIVER_OPTIONS, initial="visits")


class WhatIfForm(forms.Form):
    month = MonthField(label=_("Month to compute (YYYY-MM)"))
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all())
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[("join", _("Joins the offices")), ("leave", _("Leaves the offices"))],
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=Office.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Grouped by county; Ctrl-click (⌘-click on a Mac) chooses several."),
    )
    start = forms.DateField(label=_("From (YYYY-MM-DD)"), validators=[params.validate_date_range])
    visits = forms.IntegerField(
        label=_("Expected visits a month at each office (joining)"), min_value=0, required=False
    )
    minutes_per_visit = forms.DecimalField(
        label=_("Expected handled minutes per visit (joining)"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        required=False,
    )
    staff = forms.ChoiceField(
        label=_("Staff needed"),
        choices=[
            ("add", _("Add the staff cost difference to the offices' costs")),
            ("apart", _("Show the staff apart; the pools stay as they are")),
        ],
        initial="add",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # by name, grouped by county as in the planning forms (read when shown); a past
        # month may name an office closed since
        # a past month may name an office closed since: the closed ones come last, apart, and
        # `clean` refuses an office not in operation in the month (walk F25: Bollnäs, closed
        # 2025-06-14, was offered among the others for 2026-11)
        self.fields["offices"].widget.choices = _what_if_office_groups

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["staff"] = data.get("staff") or "add"
        month, offices = data.get("month"), data.get("offices")
        if month is not None and offices:
            end = month_end(month)
            idle = [
                o.name
                for o in offices
                if o.opened_on > end or (o.closed_on is not None and o.closed_on <= month)
            ]
            if idle:
                self.add_error(
                    "offices",
                    _("Not in operation in %(month)s: %(offices)s.")
                    % {"month": f"{month:%Y-%m}", "offices": ", ".join(idle)},
                )
        if (
            data.get("action") == "join"
            and not (data.get("visits") and data.get("minutes_per_visit"))
            and not (self.has_error("visits") or self.has_error("minutes_per_visit"))
        ):
            raise forms.ValidationError(
                _("A joining agency needs its expected visits and minutes per visit.")
            )
        return data


def _what_if_office_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The offices in operation today by county, then the closed ones under their own
    heading (for past months)."""
    today = clock.local_today()
    closed = Office.objects.filter(closed_on__lte=today).order_by("name")
    return office_groups(
        key="pk",
        extra=[(str(o.pk), o.name, o.county) for o in closed],
        extra_label=_("Closed (for a month they were open)"),
    )


def what_if_change(form: WhatIfForm) -> allocation.Change | None:
    """The valid form's change, or None (with the form's error) when it starts after the month."""
    data = form.cleaned_data
    month: dt.date = data["month"]
    start: dt.date = data["start"]
    if start >= next_month(month):
        form.add_error("start", _("The change starts after this month."))
        return None
    days = (month_end(month) - month).days + 1
    in_force = (month_end(month) - max(start, month)).days + 1
    return allocation.Change(
        agency=data["agency"].pk,
        offices=tuple(o.pk for o in data["offices"]),
        visits=data.get("visits") or 0,
        minutes_per_visit=Fraction(data.get("minutes_per_visit") or 0),
        leave=data["action"] == "leave",
        fraction=Fraction(in_force, days),
    )


class SettleForm(forms.Form):
    """The month to settle, chosen from those that can be settled now (``months``: the
    earliest open month, `queries.months_to_settle`; months are settled in order). Posted
    without ``confirm`` it leads to the confirmation step, which shows what would be frozen."""

    month = MonthField(label=_("Month"), widget=forms.Select)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    #: with the month's usage partial (`coverage.usage_gaps`), the confirmation must also
    #: say that its whole pools are shared by that usage (walk F15)
    accept_partial = forms.BooleanField(
        label=_("Accept partial usage"),
        help_text=_(
            "Settle even if the month's usage is partial or still running: the whole pools "
            "are then shared by the usage recorded so far."
        ),
        required=False,
    )

    def __init__(self, *args: Any, months: Sequence[dt.date] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months]
        sent = self.data.get(self.add_prefix("month")) if self.is_bound else None
        if sent and sent not in dict(choices):  # shown again as sent, with its error
            choices.insert(0, (sent, sent))
        self.fields["month"].widget.choices = choices


class CorrectForm(forms.Form):
    """A correction of a settled month. The pool is chosen from the settled months' pools by
    month, office and category/name (never typed as a database id); empty: only new usage."""

    month = MonthField(label=_("Settled month (YYYY-MM)"))
    pool = forms.TypedChoiceField(
        label=_("Pool (empty: only new usage)"), coerce=int, empty_value=None, required=False
    )
    amount_sek = forms.DecimalField(
        label=_("Corrected amount (kr)"),
        min_value=0,
        max_digits=15,
        decimal_places=2,
        required=False,
    )
    reason = PlainTextField(label=_("Why"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pool = self.fields["pool"]
        assert isinstance(pool, forms.ChoiceField)
        pool.choices = [("", "–"), *_settled_pool_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_error("pool") or self.has_error("amount_sek"):
            return data  # given but not valid: its own error says why, not "or neither"
        if (data.get("pool") is None) != (data.get("amount_sek") is None):
            raise forms.ValidationError(
                _("Give both the pool and its corrected amount, or neither.")
            )
        return data


def _settled_pool_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The settled months' pools, newest month first, grouped by month: (month "YYYY-MM",
    [(pool id, "office · category or name")])."""
    groups: dict[str, list[tuple[int, str]]] = {}
    pools = (
        CostPool.objects.filter(month__in=Settlement.objects.values("month"))
        .select_related("office")
        .order_by("-month", "office__name", "category", "name")
    )
    for pool in pools:
        where = pool.office.name if pool.office else _("Network")
        groups.setdefault(f"{pool.month:%Y-%m}", []).append((pool.pk, f"{where} · {pool.label}"))
    return list(groups.items())


class StaffCostForm(forms.Form):
    month = MonthField(label=_("Month (YYYY-MM)"))
    from_desk_log = forms.BooleanField(
        label=_("First record officers' hours from the desk-status log (signed-in desk time)"),
        required=False,
    )
    paid_hours_per_desk_hour = forms.DecimalField(
        label=_("Paid hours per signed-in desk hour (breaks, back office)"),
        min_value=Decimal("0.01"),
        max_value=Decimal(5),
        max_digits=4,
        decimal_places=2,
        initial=Decimal("1.25"),
        required=False,
    )
