from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from servicekontor.appointments.demo import seed_demo_bookings, seed_demo_outreach_and_video
from servicekontor.core import clock
from servicekontor.handovers.demo import seed_demo_partners
from servicekontor.messaging.addresses import site_url
from servicekontor.network.models import Office
from servicekontor.public.demo import DEMO_OFFICE_CODE, create_demo_accounts
from servicekontor.public.signals import demo_loaded
from servicekontor.queueing.demo import describe_demo_queue, seed_demo_queue


class Command(BaseCommand):
    help = "Demo accounts (one per role) and a live office. Only with DEMO=1."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO:
            raise CommandError("load_demo only runs with DEMO=1; production has no demo accounts.")
        accounts = create_demo_accounts()
        office = Office.objects.get(code=DEMO_OFFICE_CODE)
        seed_demo_queue(office=office)
        seed_demo_bookings(office=office)
        seed_demo_outreach_and_video(office=office)
        demo_loaded.send(sender=self.__class__, today=clock.local_today())
        with translation.override(settings.LANGUAGE_CODE):  # URLs without a language prefix
            seed_demo_partners(base_url=site_url())
        self.stdout.write(
            f"Demo loaded: {len(accounts)} accounts; {describe_demo_queue(office)} "
            "(manage.py demo_screens lists the screens and accounts)."
        )
