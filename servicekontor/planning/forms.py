from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.planning.models import PlanAction, PlanObjective


class PlanForm(forms.Form):
    on = forms.DateField(
        label=_("Network on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The offices operating on this date are the current network."),
    )
    action = forms.ChoiceField(label=_("Question"), choices=PlanAction.choices)
    objective = forms.ChoiceField(
        label=_("Objective"), choices=PlanObjective.choices, initial=PlanObjective.COVERAGE
    )
    k = forms.IntegerField(
        label=_("Offices to open (K)"), min_value=1, max_value=500, initial=10, required=False
    )
    n = forms.IntegerField(
        label=_("Offices to close (N)"), min_value=1, max_value=500, initial=5, required=False
    )
    radius_km = forms.FloatField(label=_("Radius R (km)"), min_value=1, max_value=500, initial=25)
    keep = forms.CharField(
        label=_("Offices that must stay (codes, comma-separated)"),
        required=False,
        max_length=2000,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        action = data.get("action")
        if action == PlanAction.PROPOSE and not data.get("k"):
            self.add_error("k", _("Say how many offices to open."))
        if action == PlanAction.CLOSE and not data.get("n"):
            self.add_error("n", _("Say how many offices to close."))
        return data

    def keep_codes(self) -> tuple[str, ...]:
        raw = self.cleaned_data.get("keep") or ""
        return tuple(code.strip() for code in raw.split(",") if code.strip())


class SaveScenarioForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=120)
    payload = forms.CharField(widget=forms.HiddenInput)


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("First scenario"))
    b = forms.IntegerField(label=_("Second scenario"))
