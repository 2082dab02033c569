"""Demo accounts and a live office, for `make run` only (settings.DEMO)."""

from dataclasses import dataclass

from django.db import transaction

from servicekontor.accounts.models import Competence, OfficeAssignment, Role, User
from servicekontor.catalog.models import Agency
from servicekontor.network.models import Office

DEMO_OFFICE_CODE = "kista"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("officer", "demo-officer", Role.SERVICE_OFFICER, "service officer at Kista"),
    DemoAccount("officer2", "demo-officer2", Role.SERVICE_OFFICER, "second officer at Kista"),
    DemoAccount("manager", "demo-manager", Role.OFFICE_MANAGER, "office manager of Kista"),
    DemoAccount("admin", "demo-admin", Role.NETWORK_ADMIN, "network administrator (admin)"),
    DemoAccount("analyst", "demo-analyst", Role.AGENCY_ANALYST, "analyst for Skatteverket"),
)


@transaction.atomic
def create_demo_accounts() -> list[DemoAccount]:
    """Create one account per role (a rerun keeps existing accounts' passwords, so nobody
    is signed out: Django ties a session to the password hash). Never called in production."""
    office = Office.objects.get(code=DEMO_OFFICE_CODE)
    agencies = list(Agency.objects.all())
    skatteverket = Agency.objects.get(code="skatteverket")
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=account.username)
        user.role = account.role
        user.first_name = account.description.split(" ")[0].capitalize()
        user.analyst_agency = skatteverket if account.role == Role.AGENCY_ANALYST else None
        # The manager reaches the admin for their office's hours and closures (and only
        # those: network.admin.office_scope); the network administrator for everything.
        user.is_staff = account.role in (Role.NETWORK_ADMIN, Role.OFFICE_MANAGER)
        user.is_superuser = account.role == Role.NETWORK_ADMIN
        if created or not user.has_usable_password():
            user.set_password(account.password)
        user.save()
        if account.role in (Role.SERVICE_OFFICER, Role.OFFICE_MANAGER):
            OfficeAssignment.objects.get_or_create(user=user, office=office)
            trained = agencies if account.username != "officer2" else [skatteverket]
            for agency in trained:
                Competence.objects.get_or_create(user=user, agency=agency)
    return list(DEMO_ACCOUNTS)
