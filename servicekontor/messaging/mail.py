"""Building the e-mail of an outbox row: multipart/alternative (text and HTML), attachments,
and headers a mail client and a spam filter expect.

- `From`: `DEFAULT_FROM_EMAIL`; `Message-ID`: `<…@domain of the sender>` (not the machine's
  host name, which Django would use).
- `Date`: the sending instant in Europe/Stockholm with its real offset (`+0100`/`+0200`);
  Django's default writes `-0000`, "offset unknown" (RFC 5322 §3.3).
- Attachments are stored as text with their MIME subtype and parameters, e.g. a calendar
  file with `text/calendar; method=PUBLISH` (RFC 6047 §2.4 asks for the method there).
"""

from __future__ import annotations

from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection

from servicekontor.core import clock
from servicekontor.messaging.addresses import sender_address, sender_domain
from servicekontor.messaging.models import Message


def attachment(
    *, filename: str, content: str, subtype: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    """An attachment as stored on the outbox row (JSON): a text/<subtype> part."""
    return {"filename": filename, "content": content, "subtype": subtype, "params": params or {}}


def build_email(message: Message) -> EmailMultiAlternatives:
    now = clock.local_now()
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=sender_address(),
        to=[message.recipient],
        headers={
            "Message-ID": make_msgid(domain=sender_domain() or None),
            "Date": format_datetime(now),
            "Content-Language": message.language,
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation auto-replies
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments or []:
        part = MIMEText(item["content"], item["subtype"], "utf-8")
        for key, value in (item.get("params") or {}).items():
            part.set_param(key, value)
        part.add_header("Content-Disposition", "attachment", filename=item["filename"])
        email.attach(part)
    return email


def send_email(message: Message) -> None:
    """Send through Django's configured mail backend; raises on failure (fail_silently off)."""
    email = build_email(message)
    email.connection = get_connection(fail_silently=False)
    if email.send() != 1:
        raise RuntimeError("the mail backend accepted no message")
