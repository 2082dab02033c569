"""The login lockout backend: django-axes for every login over HTTP."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request (every HTTP login path:
    the staff and admin login forms; the API takes no passwords).

    Without a request (code calling `authenticate()` directly, e.g. the test client's
    `login()` or a management command) there is no client to lock out: axes would raise, so
    this backend steps aside and the next backend checks the password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
