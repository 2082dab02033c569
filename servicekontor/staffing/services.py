"""Writes of the staffing app: the roster imported from CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.accounts.models import OfficeAssignment, User
from servicekontor.core.errors import DomainError
from servicekontor.core.spreadsheets import read_csv_rows
from servicekontor.network.models import Office
from servicekontor.staffing.models import Shift

#: The columns of a roster file, in this order (a header row is required).
ROSTER_COLUMNS = ("office", "officer", "day", "start", "end", "break_start", "break_minutes")


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file (the header is line 1)
    message: str


class RosterRejected(DomainError):
    """The file had errors; nothing was written. ``errors`` lists them per line."""

    http_status = 400
    default_message = gettext_lazy("The roster has errors; nothing was imported.")

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__()
        self.errors = errors


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text.strip())


def import_roster(
    *, text: str, replace: bool = False, office_ids: Collection[int] | None = None
) -> int:
    """Import shifts from CSV ``text`` (columns `ROSTER_COLUMNS`: office code, officer
    username, ISO day, HH:MM start, HH:MM end, optional break start and minutes).

    Every row is checked first (office and officer exist, the officer is assigned to the
    office, times in order, the break inside the shift, no overlap with another shift of the
    officer in the file or already on the roster); any error rejects the whole file with
    `RosterRejected` listing the errors per line — nothing is half written. ``replace``:
    the officer-days in the file replace what is on the roster for them. ``office_ids``: the
    offices the importer may plan (None: any); a row for another office is an error. Returns
    the number of shifts written.

    Lock: none beyond the transaction — a shift overlapping one written concurrently is
    not caught (two managers importing the same officer-day at once; the unique
    constraint on officer, day and start catches the identical case).
    """
    try:
        reader = iter(read_csv_rows(text))
    except csv.Error as exc:  # e.g. a NUL byte
        raise RosterRejected([RowError(1, _("The file cannot be read as CSV: %s") % exc)]) from None
    header = next(reader, None)
    names = [h.strip().lower() for h in header] if header else []
    if len(names) < 5 or names != list(ROSTER_COLUMNS[: len(names)]):
        raise RosterRejected(
            [RowError(1, _("The first row must name the columns: %s") % ", ".join(ROSTER_COLUMNS))]
        )
    offices = {o.code: o for o in Office.objects.all()}
    errors: list[RowError] = []
    shifts: list[Shift] = []
    lines: list[int] = []
    users: dict[str, User | None] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(ROSTER_COLUMNS) - len(row))
        code, username, day_text, start_text, end_text, break_text, minutes_text = (
            c.strip() for c in row[: len(ROSTER_COLUMNS)]
        )
        office = offices.get(code)
        if office is None:
            errors.append(RowError(line, _("No office has the code “%s”.") % code))
            continue
        if office_ids is not None and office.pk not in office_ids:
            errors.append(RowError(line, _("You may not plan the office “%s”.") % code))
            continue
        if username not in users:
            users[username] = User.objects.filter(username=username).first()
        user = users[username]
        if user is None:
            errors.append(RowError(line, _("No staff member has the user name “%s”.") % username))
            continue
        try:
            day = dt.date.fromisoformat(day_text)
            start, end = _time(start_text), _time(end_text)
            break_start = _time(break_text) if break_text else None
            break_minutes = int(minutes_text) if minutes_text else 0
        except ValueError:
            errors.append(
                RowError(
                    line, _("Give the day as YYYY-MM-DD, times as HH:MM, minutes as a number.")
                )
            )
            continue
        shift = Shift(
            officer=user,
            office=office,
            day=day,
            start=start,
            end=end,
            break_start=break_start,
            break_minutes=break_minutes if break_start else 0,
        )
        s, e = shift.minute_span()
        if e <= s:
            errors.append(RowError(line, _("A shift must end after it starts.")))
            continue
        if break_start is not None:
            b = break_start.hour * 60 + break_start.minute
            if not (s <= b and b + break_minutes <= e and break_minutes > 0):
                errors.append(RowError(line, _("The break must lie inside the shift.")))
                continue
        if not OfficeAssignment.objects.filter(user=user, office=office).exists():
            errors.append(
                RowError(
                    line,
                    _("%(user)s is not assigned to %(office)s.")
                    % {"user": username, "office": code},
                )
            )
            continue
        clash = next(
            (
                o
                for o in shifts
                if o.officer_id == user.pk
                and o.day == day
                and o.minute_span()[0] < e
                and s < o.minute_span()[1]
            ),
            None,
        )
        if clash is not None:
            errors.append(
                RowError(line, _("This shift overlaps another shift of the officer in the file."))
            )
            continue
        shifts.append(shift)
        lines.append(line)
    if not errors and not replace:
        for line, shift in zip(lines, shifts, strict=True):
            s, e = shift.minute_span()
            for other in Shift.objects.filter(officer_id=shift.officer_id, day=shift.day):
                os_, oe = other.minute_span()
                if os_ < e and s < oe:
                    errors.append(
                        RowError(
                            line,
                            _("%(user)s already has a shift on %(day)s at that time.")
                            % {"user": shift.officer.username, "day": shift.day},
                        )
                    )
    if errors:
        raise RosterRejected(errors)
    with transaction.atomic():
        if replace:
            for officer_id, day in {(s.officer_id, s.day) for s in shifts}:
                Shift.objects.filter(officer_id=officer_id, day=day).delete()
        Shift.objects.bulk_create(shifts)
    return len(shifts)
