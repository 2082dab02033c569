"""The base of every domain error: a message for the person and the HTTP status it maps to.

Services raise these before writing anything (or inside the transaction, which then rolls
back), so a failed request never leaves a half-made change. Views answer with `http_status`;
never 200 with an error.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    http_status = 400
    default_message: str | Promise = _("The request could not be carried out.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))
