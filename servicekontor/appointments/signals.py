"""Signals of appointments: how the write use cases reach their tasks without importing them
(the tasks import the use cases; tasks are leaves). Sent after commit.

- `booking_changed(booking_id, change)`: `change` is one of BOOKED, MOVED, CANCELLED (by the
  citizen), CANCELLED_BY_OFFICE (a registry change took the place). The receiver
  (`tasks.on_booking_changed`) sends the citizen the message for it, with the booking's one
  manage link and its calendar event (same UID, raised SEQUENCE, METHOD:CANCEL when
  cancelled), and schedules the reminder of a new time.

`appointments.apps` connects the receivers of `appointments.tasks`.
"""

from django.dispatch import Signal

BOOKED = "booked"
MOVED = "moved"
CANCELLED = "cancelled"
CANCELLED_BY_OFFICE = "cancelled_by_office"
CHANGES = (BOOKED, MOVED, CANCELLED, CANCELLED_BY_OFFICE)

booking_changed = Signal()
# video_meeting_cancelled(meeting_id): the citizen or the office cancelled a video meeting (or
# the citizen moved it: the meeting's `moved_to` is the new one);
# the receiver tells the agency's side (`tasks.tell_caseworker_of_cancellation`).
video_meeting_cancelled = Signal()
