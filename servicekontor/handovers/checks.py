"""`check --deploy`: handover encryption keys of their own (handovers.W001)."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if not getattr(settings, "HANDOVER_ENCRYPTION_KEYS", None):
        return [
            Warning(
                "Handover identity numbers are encrypted with a key derived from SECRET_KEY.",
                hint="Set HANDOVER_ENCRYPTION_KEYS (Fernet keys, newest first) so the keys "
                "can be rotated without changing SECRET_KEY (manage.py rotate_handover_keys).",
                id="handovers.W001",
            )
        ]
    return []
