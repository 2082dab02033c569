"""The citizen's reference by e-mail (when asked for at the desk; otherwise it is printed).

What the mail holds: the reference, the agency, the service, the office and what happens
next. Never the identity number, never what the citizen needs (the mailbox may be shared).
Sent once: the row is locked while sending and the address is blanked after sending, so a
second run finds nothing to send.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from servicekontor.handovers import encryption
from servicekontor.handovers.models import Handover, ReferenceBy


def send_reference(handover_id: int) -> bool:
    """Mail the reference to the address given at the desk, then forget the address."""
    with transaction.atomic():
        handover = (
            Handover.objects.select_for_update(of=("self",))
            .select_related("agency", "service", "office")
            .filter(pk=handover_id, reference_by=ReferenceBy.EMAIL)
            .exclude(reference_email_encrypted="")
            .first()
        )
        if handover is None:
            return False
        address = encryption.decrypt(handover.reference_email_encrypted)
        body = render_to_string("handovers/mail/reference.txt", {"handover": handover})
        EmailMultiAlternatives(
            subject=_("Your reference %(reference)s for %(agency)s")
            % {"reference": handover.reference, "agency": handover.agency.name_sv},
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        ).send()
        Handover.objects.filter(pk=handover.pk).update(reference_email_encrypted="")
    return True
