"""Standard Webhooks signing (the `standardwebhooks` library): headers `webhook-id`,
`webhook-timestamp`, `webhook-signature`. During a key rotation every active secret signs
(space-separated `v1,…` signatures), so a receiver verifying with either secret accepts it.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import secrets
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    """A fresh secret in the scheme's form: `whsec_` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signed_headers(
    *, message_id: str, timestamp: dt.datetime, body: str, secrets_: Sequence[str]
) -> dict[str, str]:
    """The headers of one delivery attempt. `timestamp` is an aware datetime (sent as whole
    Unix seconds); raises ValueError without a secret."""
    if not secrets_:
        raise ValueError("no active signing secret")
    utc = timestamp.astimezone(dt.UTC)
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=utc, data=body) for secret in secrets_
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(utc.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
    }
