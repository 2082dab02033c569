"""Signals of appointments: how the write use cases reach their tasks without importing them
(the tasks import the use cases; tasks are leaves). Both are sent after commit.

- `booking_confirmed(booking_id)`: a booking was made and its confirmation sent; the receiver
  schedules the reminder (`tasks.schedule_reminder`).
- `booking_cancelled_by_office(booking_id)`: a closure cancelled it; the receiver enqueues the
  notice with a rebooking link (`tasks.send_closure_notice`).

`appointments.apps` connects the receivers of `appointments.tasks`.
"""

from django.dispatch import Signal

booking_confirmed = Signal()
booking_cancelled_by_office = Signal()
# video_meeting_cancelled(meeting_id): the citizen or the office cancelled a video meeting;
# the receiver tells the agency's side (`tasks.tell_caseworker_of_cancellation`).
video_meeting_cancelled = Signal()
