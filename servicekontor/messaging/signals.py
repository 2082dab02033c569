"""Signals of messaging, sent after the outbox row changed (outside any transaction):

- `message_sent(topic, object_id, sent_at)`: delivered (accepted by the mail server or the
  SMS provider).
- `message_given_up(topic, object_id, error)`: the last attempt failed or the message expired.

Apps to the right connect receivers (appointments records `reminder_sent_at` from it).
"""

from django.dispatch import Signal

message_sent = Signal()
message_given_up = Signal()
