from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.demo import seed_demo_bookings, seed_demo_outreach_and_video
from servicekontor.network.models import Office
from servicekontor.public.demo import DEMO_OFFICE_CODE, create_demo_accounts
from servicekontor.queueing.demo import seed_demo_queue


class Command(BaseCommand):
    help = "Demo accounts (one per role) and a live office. Only with DEMO=1."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO:
            raise CommandError("load_demo only runs with DEMO=1; production has no demo accounts.")
        accounts = create_demo_accounts()
        office = Office.objects.get(code=DEMO_OFFICE_CODE)
        seed_demo_queue(office=office)
        seed_demo_bookings(office=office)
        stop = seed_demo_outreach_and_video(office=office)
        base = "http://127.0.0.1:8000"
        code = office.code
        with translation.override(settings.LANGUAGE_CODE):  # URLs without a language prefix
            screens = self._screens(code)
            screens.append(("Outreach stop (public)", reverse("public:office", args=[stop.code])))
            screens.append(
                ("Book for a citizen (officer)", reverse("appointments:desk_book", args=[code]))
            )
        self.stdout.write(f"\nservicekontor is ready; {office.name} has visitors waiting. Screens:")
        for label, path in screens:
            self.stdout.write(f"  {label:<40} {base}{path}")
        self.stdout.write("\nDemo accounts (username / password):")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<10} {account.password:<15} {account.description}"
            )
        self.stdout.write("")

    def _screens(self, code: str) -> list[tuple[str, str]]:
        return [
            ("Office finder (public)", reverse("public:finder")),
            ("Office page (public)", reverse("public:office", args=[code])),
            ("Book an appointment (public)", reverse("appointments:services")),
            ("Kiosk: take a ticket (public)", reverse("queueing:kiosk", args=[code])),
            (
                "Kiosk: check in a booking (public)",
                reverse("appointments:kiosk_check_in", args=[code]),
            ),
            ("Lobby display (public)", reverse("lobby:display", args=[code])),
            ("Desk (officer, officer2, manager)", reverse("desk:choose")),
            ("Live office view (manager)", reverse("desk:live", args=[code])),
            ("Network planning (admin)", reverse("planning:index")),
            ("Django admin (admin)", reverse("admin:index")),
            ("API docs (OpenAPI)", reverse("api-docs")),
            ("Staff sign-in", reverse("accounts:login")),
        ]
