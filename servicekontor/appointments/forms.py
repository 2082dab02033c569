"""Forms of the citizen's booking flow and the kiosk check-in."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer

from servicekontor.appointments import tokens
from servicekontor.catalog.models import Service
from servicekontor.core.forms import PlainTextField
from servicekontor.messaging.phone import InvalidPhoneNumber, to_mobile_e164
from servicekontor.messaging.phone_messages import phone_error


class UnechoedTextInput(forms.TextInput):
    """A visible text field that is never filled back in: the identity number is not echoed
    into a re-rendered page (which browsers may cache)."""

    def format_value(self, value: object) -> None:
        return None


class ContactForm(forms.Form):
    """Who books. The identity number field exists only for services that need it."""

    name = PlainTextField(
        label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,  # the column (models.EmailField)
        help_text=_("We send the confirmation and a reminder here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        # mail.notify's rule (messaging.services.channel_for): SMS only without an e-mail
        help_text=_(
            "E.g. 070-123 45 67. We send text messages here only when you give no e-mail address."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    personal_identity_number = forms.CharField(
        label=_("Personal identity number"),
        required=True,
        max_length=13,
        help_text=_(
            "YYYYMMDD-NNNN (YYMMDD-NNNN works too). Needed for this service; we keep only a "
            "check value."
        ),
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args: object, service: Service, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not service.requires_identification:
            del self.fields["personal_identity_number"]

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        try:
            # One form for every way of writing the number (the per-person limit compares it).
            # A mobile one: the field is the mobile number, and text messages go there.
            return to_mobile_e164(raw)
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(phone_error(exc)) from None

    def clean_personal_identity_number(self) -> str:
        raw = self.cleaned_data.get("personal_identity_number", "").strip()
        try:
            number = personnummer.Personnummer(raw)
        except (personnummer.PersonnummerException, ValueError, TypeError):
            raise forms.ValidationError(
                _(
                    "This is not a valid personal identity number. Check the digits "
                    "(YYYYMMDD-NNNN or YYMMDD-NNNN)."
                )
            ) from None
        # Only the keyed hash leaves the form; the number itself is never stored or logged.
        return tokens.identity_hash(number.format(True))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if (
            not cleaned.get("email")
            and not cleaned.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            self.add_error("email", _("Give an e-mail address or a mobile number (or both)."))
        return cleaned


class DeskContactForm(ContactForm):
    """Who books, when an officer books for a citizen: and the citizen's language, which the
    confirmation and every later message of the booking are written in (not the officer's)."""

    language = forms.ChoiceField(
        label=_("Language of the messages"),
        choices=settings.LANGUAGES,
        initial="sv",
        help_text=_("The confirmation, reminder and any change are sent in this language."),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=12,
        help_text=_("8 letters and digits, e.g. ABCD-2345, from your confirmation."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = tokens.normalize_code(self.cleaned_data["code"])
        if len(code) != tokens.CODE_LENGTH:
            raise forms.ValidationError(_("A booking code has 8 letters and digits."))
        return code
