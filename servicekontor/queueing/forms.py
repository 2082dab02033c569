from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Service
from servicekontor.core.forms import PHONE_WRITING
from servicekontor.messaging.phone import InvalidPhoneNumber, to_mobile_e164
from servicekontor.messaging.phone_messages import phone_error


class TicketForm(forms.Form):
    # The services offered come as a list (the kiosk's, from the shared registry cache), not
    # as a queryset: choosing one sends no statement. Django's ModelChoiceField message.
    service = forms.TypedChoiceField(
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
        label=_("What do you need help with?"),
        error_messages={
            "required": _("Choose what you need help with."),
            "invalid_choice": _(
                "Select a valid choice. That choice is not one of the available choices."
            ),
        },
    )
    notify_contact = forms.CharField(
        label=_("Mobile number or e-mail (optional)"),
        help_text=_("We send one message when it is soon your turn, then delete it."),
        required=False,
        max_length=120,
    )
    priority = forms.BooleanField(
        label=_("I need priority (for example a disability that makes waiting hard)"),
        required=False,
    )

    def __init__(self, *args: object, services: Iterable[Service], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.services = {s.pk: s for s in services}
        field = self.fields["service"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, s.name) for pk, s in self.services.items()]

    def clean_service(self) -> Service:
        """The chosen service (one of `services`: the field refuses any other)."""
        return self.services[self.cleaned_data["service"]]

    def clean_notify_contact(self) -> str:
        value = str(self.cleaned_data.get("notify_contact") or "").strip()
        if not value:
            return ""
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValidationError(
                    _("Write a valid e-mail address, or leave it empty.")
                ) from exc
            return value
        if not PHONE_WRITING.match(value):
            # neither an address nor written like a number: name both kinds it may be
            raise ValidationError(
                _(
                    "Write a mobile number such as 070-123 45 67 or an e-mail address, "
                    "or leave it empty."
                )
            )
        try:
            return to_mobile_e164(value)
        except InvalidPhoneNumber as exc:
            raise ValidationError(phone_error(exc)) from None
