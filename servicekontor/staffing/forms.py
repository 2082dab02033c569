"""The staffing pages' query (GET) as forms: each value checked against what the page's
label says (percent, share, week), so an error names the field the user sees and the page
keeps the form with the input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.core import clock, params
from servicekontor.core.forms import labelled_errors
from servicekontor.staffing import queries

# WhatIf.volume_factor = 1 + volume / 100 lies in (0, 10]: at least −99 %, at most +900 %.
MIN_VOLUME, MAX_VOLUME = -99, 900


class WhatIfForm(forms.Form):
    """The changes to plan against (`queries.WhatIf`); every field optional."""

    volume = forms.FloatField(
        label=_("Volume change (%)"),
        required=False,
        min_value=MIN_VOLUME,
        max_value=MAX_VOLUME,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    # In percent, as the pages show service levels ("80 %"); it was a share (0.8) here and a
    # percentage in the tables beside it (walk finding, 2026-11-30).
    level = forms.FloatField(
        label=_("Service level (%)"),
        required=False,
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    minutes = forms.IntegerField(
        label=_("Service level (minutes)"),
        required=False,
        min_value=1,
        max_value=240,
        widget=forms.HiddenInput,
    )
    add_agency = forms.ModelChoiceField(
        label=_("Agency added to the offices"),
        queryset=Agency.objects.order_by("code"),
        to_field_name="code",
        required=False,
    )

    def what_if(self) -> queries.WhatIf:
        """The valid form's changes."""
        data = self.cleaned_data
        volume = data.get("volume") or 0.0
        level = data.get("level")
        share = level / 100 if level is not None else None
        agency = data.get("add_agency")
        return queries.WhatIf(
            volume_factor=1 + volume / 100,
            service_level=(share, data.get("minutes") or 15) if share is not None else None,
            add_agency_ids=(agency.pk,) if agency is not None else (),
        )

    def error_text(self) -> str:
        """All errors as one line, each with its field's label (for files, which have no page)."""
        return labelled_errors(self)


#: A week by its number alone, as people say it: "51", "v51", "v. 51", "vecka 51", "week 51".
_WEEK_NUMBER = re.compile(r"(?:v|vecka|w|week)?\.?\s*([0-9]{1,2})", re.IGNORECASE)


def nearest_week(number: int, today: dt.date) -> dt.date | None:
    """The Monday of the ISO week ``number`` nearest to ``today`` (this year's, last year's or
    next year's: in December "2" is next January's); None if no year has that week."""
    this_monday = today - dt.timedelta(days=today.weekday())
    year = today.isocalendar().year
    found = []
    for y in (year - 1, year, year + 1):
        try:
            found.append(dt.date.fromisocalendar(y, number, 1))
        except ValueError:
            continue
    return min(found, key=lambda d: abs((d - this_monday).days), default=None)


class OfficeWeekForm(WhatIfForm):
    # No browser `pattern`: its bubble was English on the Swedish page and refused "51"
    # (walk F25); the server reads the week number alone too, and says what it takes.
    week = forms.CharField(
        label=_("Week"),
        required=False,
        max_length=12,
        help_text=_("Its number (51) or YYYY-Www (2026-W51)."),
        widget=forms.TextInput(attrs={"placeholder": "2026-W10", "size": "10"}),
    )
    field_order = ["week", "volume", "level"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["add_agency"].widget = forms.HiddenInput()  # a link may carry it
        self.fields["level"].help_text = _("Empty: each agency's own target (below).")
        self.fields["volume"].help_text = _("Empty: no change.")

    def clean_week(self) -> dt.date | None:
        text = (self.cleaned_data.get("week") or "").strip()
        if not text:
            return None
        number = _WEEK_NUMBER.fullmatch(text)
        if number is not None:
            monday = nearest_week(int(number[1]), clock.local_today())
            if monday is None:
                raise forms.ValidationError(
                    _("There is no week %(week)s."), code="invalid", params={"week": number[1]}
                )
        else:
            try:
                monday = params.parse_iso_week(text)
            except ValueError as exc:
                raise forms.ValidationError(str(exc), code="invalid") from None
        last = queries.last_plannable_monday()
        if monday > last:
            # Beyond it the history window (HISTORY_WEEKS before the week) would not reach
            # today: the week's field says so, not a period error of another screen.
            year, week, _day = last.isocalendar()
            raise forms.ValidationError(
                _("Choose a week at most %(weeks)s weeks ahead, up to %(last)s."),
                code="too_far",
                params={"weeks": queries.MAX_WEEKS_AHEAD, "last": f"{year}-W{week:02d}"},
            )
        return monday


class NetworkYearForm(WhatIfForm):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    field_order = ["year", "volume", "level", "add_agency"]
