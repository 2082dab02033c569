"""The desk's handover form: one per errand handed over (prefix h0, h1 … in one page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.core.forms import PlainTextField
from servicekontor.handovers.models import ContactChannel, Partner, ReferenceBy
from servicekontor.handovers.services import Document, HandoverInput

DOCUMENT_ROWS = 3


class HandoverForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("What the errand is"), queryset=Service.objects.none(), empty_label=None
    )
    needs = PlainTextField(
        multiline=True,
        label=_("What the citizen needs"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the agency must do, so the citizen is not asked again."),
    )
    contact_channel = forms.ChoiceField(
        label=_("How the citizen wants to be contacted"),
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
    )
    contact = forms.CharField(
        label=_("Phone number or e-mail address"),
        required=False,
        max_length=254,
        help_text=_("Only for contact by phone or e-mail."),
    )
    identity_number = forms.CharField(
        label=_("Personal identity number"),
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    reference_by = forms.ChoiceField(
        label=_("The citizen gets the reference"),
        choices=ReferenceBy.choices,
        initial=ReferenceBy.PRINTED,
        widget=forms.RadioSelect,
    )
    reference_to = forms.CharField(
        label=_("E-mail address or mobile number for the reference"),
        required=False,
        max_length=254,
    )
    language = forms.ChoiceField(
        label=_("Language of the message"), choices=settings.LANGUAGES, initial="sv"
    )
    consent = forms.BooleanField(
        label=_("The citizen agrees that this is handed over to the agency"), required=True
    )

    def __init__(self, *args: Any, agency: Agency, default_service: Service, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.agency = agency
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(agency=agency).order_by("name_sv")
        field.initial = default_service.pk
        partner = Partner.objects.filter(agency=agency).first()
        needing = list(partner.identity_services.all()) if partner else []
        if needing:
            self.fields["identity_number"].help_text = _("Only for: %(services)s.") % {
                "services": ", ".join(str(s) for s in needing)
            }
        else:
            # none of the agency's services takes it: no field to leave empty (walk F20: it
            # was shown, "leave it empty", and a number typed in was refused)
            del self.fields["identity_number"]
        for i in range(1, DOCUMENT_ROWS + 1):
            self.fields[f"doc{i}_kind"] = forms.CharField(
                label=_("Document %(n)s: type") % {"n": i}, required=False, max_length=100
            )
            whole = _("The number must be a positive whole number (1–99).")
            self.fields[f"doc{i}_count"] = forms.IntegerField(
                label=_("Document %(n)s: number") % {"n": i},
                required=False,
                min_value=1,
                max_value=99,
                error_messages={"invalid": whole, "min_value": whole, "max_value": whole},
            )

    def document_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"doc{i}_kind"], self[f"doc{i}_count"]) for i in range(1, DOCUMENT_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(1, DOCUMENT_ROWS + 1):
            kind, count = cleaned.get(f"doc{i}_kind"), cleaned.get(f"doc{i}_count")
            if self.has_error(f"doc{i}_kind") or self.has_error(f"doc{i}_count"):
                continue  # given but not valid ("-3"): its own error says why, not "neither"
            if bool(kind) != bool(count):
                self.add_error(f"doc{i}_kind", _("Give both the type and the number, or neither."))
        if cleaned.get("reference_by") != ReferenceBy.PRINTED and not cleaned.get("reference_to"):
            self.add_error("reference_to", _("Give the address or number for the reference."))
        return cleaned

    def to_input(self) -> HandoverInput:
        c = self.cleaned_data
        documents = tuple(
            Document(kind=c[f"doc{i}_kind"], count=c[f"doc{i}_count"])
            for i in range(1, DOCUMENT_ROWS + 1)
            if c.get(f"doc{i}_kind")
        )
        return HandoverInput(
            service=c["service"],
            needs=c["needs"],
            consent=c["consent"],
            contact_channel=c["contact_channel"],
            contact=c.get("contact") or "",
            identity_number=c.get("identity_number") or "",
            documents=documents,
            reference_by=c["reference_by"],
            reference_to=c.get("reference_to") or "",
            language=c["language"],
        )
