"""`make run` ends with this: where every screen is and the demo accounts, as the last
thing printed before the server starts (the simulation's output would bury it otherwise).

It also gives the demo's polling agency a fresh API token to print (only its hash is stored,
so a token can only be shown when it is made; `handovers.demo.seed_demo_partners`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from servicekontor.handovers.demo import RECEIVER_AGENCY, seed_demo_partners
from servicekontor.messaging.addresses import site_url
from servicekontor.network.models import Office
from servicekontor.public.demo import DEMO_ACCOUNTS, DEMO_OFFICE_CODE
from servicekontor.queueing.demo import describe_demo_queue


def screens(code: str) -> list[tuple[str, str]]:
    """(label, path) of every screen worth opening in the demo."""
    return [
        ("Office finder (public)", reverse("public:finder")),
        ("Office page (public)", reverse("public:office", args=[code])),
        ("Book an appointment (public)", reverse("appointments:services")),
        ("Kiosk: take a ticket (public)", reverse("queueing:kiosk", args=[code])),
        ("Kiosk: check in a booking (public)", reverse("appointments:kiosk_check_in", args=[code])),
        ("Lobby display (public)", reverse("lobby:display", args=[code])),
        ("Desk (officer, officer2, manager)", reverse("desk:choose")),
        ("Live office view (manager)", reverse("desk:live", args=[code])),
        ("Statistics (manager, analyst, admin)", reverse("reports:home")),
        ("Statistics of the network (admin)", reverse("reports:network")),
        ("Staffing of the office (manager, admin)", reverse("staffing:office", args=[code])),
        ("Staffing of the network (admin)", reverse("staffing:network")),
        ("Costs and settlements (admin, analyst)", reverse("costs:index")),
        ("Network planning (admin)", reverse("planning:index")),
        ("Handovers and failing endpoints (admin, analyst)", reverse("handovers:list")),
        (
            "Demo receiver: an agency's inbox (any staff)",
            reverse("handovers:demo_receiver", args=[RECEIVER_AGENCY]),
        ),
        ("Django admin (admin)", reverse("admin:index")),
        ("Messages sent to citizens (admin)", reverse("admin:messaging_message_changelist")),
        ("API docs (OpenAPI)", reverse("api-docs")),
        ("Staff sign-in", reverse("accounts:login")),
    ]


class Command(BaseCommand):
    help = "Print where every screen is and the demo accounts (make run ends with it). DEMO=1."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO:
            raise CommandError("demo_screens only runs with DEMO=1; production has no demo.")
        office = Office.objects.filter(code=DEMO_OFFICE_CODE).first()
        if office is None:
            raise CommandError("No demo office: run load_reference_data and load_demo first.")
        base = site_url()
        with translation.override(settings.LANGUAGE_CODE):  # URLs without a language prefix
            listed = screens(office.code)
            partners = seed_demo_partners(base_url=base)
        self.stdout.write(f"\nservicekontor is ready at {base}/ ; {describe_demo_queue(office)}.")
        self.stdout.write("Screens:")
        for label, path in listed:
            self.stdout.write(f"  {label:<42} {base}{path}")
        self.stdout.write(
            f"\nHandovers: finish an errand for {partners.receiver_agency.name_sv} with "
            "'Documents received and forwarded', 'Referred' or 'Meeting booked'; it arrives "
            f"signed in the demo receiver. {partners.polling_agency.name_sv} polls instead:\n"
            f"  curl -H 'Authorization: Bearer {partners.polling_token}' "
            f"{base}/api/partner/handovers/"
        )
        self.stdout.write("\nDemo accounts (username / password; kept as they are on a rerun):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.username:<10} {account.password:<15} {account.description}"
            )
        self.stdout.write("")
