from django.utils.translation import gettext_lazy as _

from servicekontor.core.forms import PlaceForm


class FinderForm(PlaceForm):
    """The office finder's search: a place or office name, or coordinates."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["q"].label = _("Town, district or office")
