from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.core.forms import PlainTextField
from servicekontor.core.params import validate_date_range
from servicekontor.network.choices import OfficesField
from servicekontor.planning.models import PlanObjective, PlanQuestion


class PlanForm(forms.Form):
    on = forms.DateField(
        label=_("Network on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_date_range],
        help_text=_("The offices operating on this date are the current network."),
    )
    action = forms.ChoiceField(label=_("Question"), choices=PlanQuestion.choices)
    objective = forms.ChoiceField(
        label=_("Objective"), choices=PlanObjective.choices, initial=PlanObjective.COVERAGE
    )
    k = forms.IntegerField(
        label=_("Offices to open (K)"), min_value=0, max_value=500, initial=10, required=False
    )
    stops = forms.IntegerField(
        label=_("Outreach stops to propose"),
        min_value=0,
        max_value=500,
        initial=0,
        required=False,
        help_text=_("Besides the offices: stops served on some days (coverage within R)."),
    )
    stop_days = forms.FloatField(
        label=_("Visit days per week of each stop"),
        min_value=0.1,
        max_value=5,
        initial=1,
        required=False,
    )
    n = forms.IntegerField(
        label=_("Offices to close (N)"), min_value=1, max_value=500, initial=5, required=False
    )
    radius_km = forms.FloatField(label=_("Radius R (km)"), min_value=1, max_value=500, initial=25)
    # By name, grouped by county (walk F15: codes were typed); cleaned to "code,code" as the
    # planner's request takes them
    keep = OfficesField(
        label=_("Offices that must stay"),
        required=False,
        help_text=_(
            "For closing offices. Choose by name, grouped by county; Ctrl-click (⌘-click on "
            "a Mac) chooses several."
        ),
    )
    quick = forms.BooleanField(
        label=_("Quick answer"),
        required=False,
        help_text=_(
            "Greedy + interchange with its gap to a bound, in a few seconds, instead of the "
            "proven optimum."
        ),
    )
    sites_csv = forms.FileField(
        label=_("Candidate sites (CSV, optional)"),
        required=False,
        help_text=_("Columns code,name,latitude,longitude[,county]. Default: every locality."),
    )
    matrix_csv = forms.FileField(
        label=_("Distance or travel-time matrix (CSV, optional)"),
        required=False,
        help_text=_(
            "Rows demand_id,site_code,value (GeoNames id). Missing pairs: straight-line km."
        ),
    )

    MAX_UPLOAD_BYTES = 5 * 1024 * 1024

    def clean_keep(self) -> str:
        return ",".join(self.cleaned_data.get("keep") or [])

    def uploaded_text(self, name: str) -> str | None:
        """The text of an uploaded CSV, or None; raises ValidationError-worthy ValueError."""
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        if upload.size > self.MAX_UPLOAD_BYTES:
            raise ValueError(_("The file is larger than 5 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(_("The file is not UTF-8 text.")) from None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        action = data.get("action")
        # A number given but not valid has its own error; "say how many" only when none was.
        if (
            action == PlanQuestion.PROPOSE
            and not data.get("k")
            and not data.get("stops")
            and not (self.has_error("k") or self.has_error("stops"))
        ):
            self.add_error("k", _("Say how many offices (or outreach stops) to open."))
        if action == PlanQuestion.CLOSE and not data.get("n") and not self.has_error("n"):
            self.add_error("n", _("Say how many offices to close."))
        return data


class SaveScenarioForm(forms.Form):
    name = PlainTextField(label=_("Scenario name"), max_length=120)
    payload = forms.CharField(widget=forms.HiddenInput)


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("First scenario"))
    b = forms.IntegerField(label=_("Second scenario"))
