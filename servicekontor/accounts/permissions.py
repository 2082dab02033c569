"""Who may do what, by role. Views and services ask these functions, nothing else."""

from django.db.models import QuerySet

from servicekontor.accounts.models import Role, User
from servicekontor.catalog.models import Agency
from servicekontor.network.models import Office


def is_network_admin(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.NETWORK_ADMIN)


SERVING_ROLES = (Role.SERVICE_OFFICER, Role.OFFICE_MANAGER)


def may_serve(user: User, *, assigned: bool) -> bool:
    """The desk rule, given whether the user is assigned to the office (for callers that
    already read that alongside something else)."""
    return user.is_active and user.role in SERVING_ROLES and assigned


def can_serve_at(user: User, office: Office) -> bool:
    """Officers and managers act at a desk only at the offices they are assigned to."""
    if not may_serve(user, assigned=True):
        return False
    return user.assignments.filter(office=office).exists()


def may_sign_in_at_desks(user: User) -> bool:
    """Whether the user's role serves at desks at all (the desk's sign-in page; which
    desks: those of the offices they are assigned to, `can_serve_at`)."""
    return may_serve(user, assigned=True)


def may_manage(user: User, *, assigned: bool) -> bool:
    """The manager rule, given whether the user is assigned to the office (for callers that
    read that alongside something else: the live view's poll, `sql.live_poll`)."""
    if is_network_admin(user):
        return True
    return user.is_active and user.role == Role.OFFICE_MANAGER and assigned


def can_manage(user: User, office: Office) -> bool:
    if is_network_admin(user):
        return True
    if not may_manage(user, assigned=True):
        return False
    return user.assignments.filter(office=office).exists()


def managed_offices(user: User) -> QuerySet[Office]:
    if is_network_admin(user):
        return Office.objects.all()
    if user.is_active and user.role == Role.OFFICE_MANAGER:
        return Office.objects.filter(assignments__user=user)
    return Office.objects.none()


def may_see_statistics(user: User) -> bool:
    """Network administrators, office managers (their offices) and agency analysts with an
    agency (its figures); `reports.scope.scope_for` gives each their scope."""
    if is_network_admin(user):
        return True
    if not user.is_active:
        return False
    return user.role == Role.OFFICE_MANAGER or (
        user.role == Role.AGENCY_ANALYST and user.analyst_agency_id is not None
    )


def may_see_agency_data(user: User) -> bool:
    """Costs and settlements, handovers: network administrators (every agency) and an
    agency analyst (their own agency)."""
    if is_network_admin(user):
        return True
    return bool(
        user.is_active and user.role == Role.AGENCY_ANALYST and user.analyst_agency_id is not None
    )


def visible_agencies(user: User) -> QuerySet[Agency]:
    """Analysts see only their own agency; network admins and managers see all."""
    if not user.is_active:
        return Agency.objects.none()
    if user.role == Role.AGENCY_ANALYST:
        if user.analyst_agency_id is None:
            return Agency.objects.none()
        return Agency.objects.filter(pk=user.analyst_agency_id)
    return Agency.objects.all()


def trained_agency_ids(user: User) -> set[int]:
    return set(user.competence_rows.values_list("agency_id", flat=True))
