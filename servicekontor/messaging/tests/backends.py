"""Mail backends for tests: a server that refuses, once or for one address."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

refusals_left = {"count": 0}


class RefuseOnceBackend(LocmemBackend):
    """Refuses (SMTP 451, temporary) while `refusals_left["count"]` > 0, then delivers."""

    def send_messages(self, messages: Sequence[Any]) -> int:
        if refusals_left["count"] > 0:
            refusals_left["count"] -= 1
            raise smtplib.SMTPRecipientsRefused(
                {m.to[0]: (451, b"4.3.0 try again later") for m in messages}
            )
        return super().send_messages(messages)


class RefuseAddressBackend(BaseEmailBackend):
    """Refuses every mail to refuse@example.org (quoting the address, as servers do)."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        sent = 0
        for message in email_messages:
            if "refuse@example.org" in message.to:
                raise smtplib.SMTPRecipientsRefused(
                    {"refuse@example.org": (550, b"5.1.1 <refuse@example.org> unknown")}
                )
            mail.outbox.append(message)
            sent += 1
        return sent
