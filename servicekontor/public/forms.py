from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from servicekontor.catalog.models import Agency
from servicekontor.core.forms import PlaceForm


class FinderForm(PlaceForm):
    """The office finder's search: a place or office name, or coordinates; and, if chosen,
    one agency whose services the offices must offer (walk F3: "offices where I can get help
    with Migrationsverket"). `agencies`: the agencies to choose from (those some office
    offers), by their name as the site says it (`Agency.name`)."""

    def __init__(self, *args: object, agencies: Sequence[Agency] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["q"].label = _("Town, district or office")
        self.fields["agency"] = forms.ChoiceField(
            label=_("Help with"),
            required=False,
            choices=[("", _("Any agency")), *((a.code, a.name) for a in agencies)],
            error_messages={"invalid_choice": _("Choose one of the listed agencies.")},
        )
