from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from servicekontor.public.demo import DEMO_OFFICE_CODE, create_demo_accounts


class Command(BaseCommand):
    help = "Demo accounts (one per role) and a live office. Only with DEMO=1."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO:
            raise CommandError("load_demo only runs with DEMO=1; production has no demo accounts.")
        accounts = create_demo_accounts()
        base = "http://127.0.0.1:8000"
        office = DEMO_OFFICE_CODE
        screens = [
            ("Office finder (public)", reverse("public:finder")),
            ("Office page (public)", reverse("public:office", args=[office])),
            ("Django admin (network administrator)", reverse("admin:index")),
            ("API docs (OpenAPI)", reverse("api-docs")),
            ("Staff sign-in", reverse("accounts:login")),
        ]
        self.stdout.write("\nservicekontor is ready. Screens:")
        for label, path in screens:
            self.stdout.write(f"  {label:<40} {base}{path}")
        self.stdout.write("\nDemo accounts (username / password):")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<10} {account.password:<15} {account.description}"
            )
        self.stdout.write("")
