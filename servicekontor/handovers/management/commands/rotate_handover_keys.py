"""Re-encrypt every encrypted handover value with the newest HANDOVER_ENCRYPTION_KEYS key."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from servicekontor.handovers import encryption
from servicekontor.handovers.models import DemoReceipt, Handover, SigningSecret

FIELDS = {
    Handover: ["contact_encrypted", "identity_number_encrypted", "reference_email_encrypted"],
    SigningSecret: ["secret_encrypted"],
    DemoReceipt: ["body_encrypted"],
}


class Command(BaseCommand):
    help = (
        "After putting a new key first in HANDOVER_ENCRYPTION_KEYS: re-encrypt every value "
        "with it (in batches, each its own transaction), then the old key can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, fields in FIELDS.items():
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))  # type: ignore[attr-defined]
            for start in range(0, len(ids), 500):
                with transaction.atomic():
                    rows = model.objects.select_for_update().filter(pk__in=ids[start : start + 500])  # type: ignore[attr-defined]
                    for row in rows:
                        for field in fields:
                            setattr(row, field, encryption.rotate(getattr(row, field)))
                        row.save(update_fields=fields)
                        total += 1
        self.stdout.write(f"Re-encrypted {total} rows with the newest key.")
