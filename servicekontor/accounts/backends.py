"""The authentication backends: django-axes' lockout for every login over HTTP, then the
user model's backend (`UserBackend`)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import HttpRequest

from servicekontor.accounts.models import User
from servicekontor.core.params import MAX_ID


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


class UserBackend(ModelBackend):
    """Django's `ModelBackend` (passwords, permissions), with the signed-in user read by one
    written-out statement.

    `get_user` runs on every signed-in request (the session names the user). Through the ORM
    it cost about 1.6 ms of CPU on session 11's machine, most of it compiling the same query
    again; the written statement with `Model.from_db` about 0.4 ms, for the same object (every
    concrete field loaded, nothing deferred). Decision 0050.
    """

    @cached_property
    def _select(self) -> tuple[str, list[str], list[tuple[int, list[Any], Any]]]:
        """The statement, the fields' attribute names, and the database's value converters
        per column (as the ORM's compiler applies them: SQLite returns naive datetimes and
        integer booleans without them)."""
        fields = User._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        table = connection.ops.quote_name(User._meta.db_table)
        converters = []
        for i, field in enumerate(fields):
            column = field.get_col(User._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                converters.append((i, found, column))
        sql = f"SELECT {columns} FROM {table} WHERE id = %s"
        return sql, [f.attname for f in fields], converters

    def get_user(self, user_id: Any) -> User | None:
        """The active user with primary key `user_id` (as the session stores it: an int or its
        string), or None: unknown, inactive, or not a valid key (never an error)."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except (ValidationError, TypeError):
            return None
        if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
            return None
        sql, names, converters = self._select
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for i, found, column in converters:
            for convert in found:
                values[i] = convert(values[i], column, connection)
        user = User.from_db(DEFAULT_DB_ALIAS, names, values)
        return user if self.user_can_authenticate(user) else None
