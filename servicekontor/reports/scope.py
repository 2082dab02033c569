"""Who may see which statistics. Every query function takes a `Scope`; views never filter.

- network administrators: every agency at every office;
- office managers: every agency at the offices they manage (and their occupancy);
- agency analysts: their own agency's services at every office, and nothing else: no other
  agency's rows and no totals that include them (so no visit totals across agencies and no
  officer occupancy, which is time spent on every agency);
- anyone else (service officers): no statistics.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from servicekontor.accounts.models import Role, User
from servicekontor.accounts.permissions import (
    is_network_admin,
    managed_offices,
    may_see_statistics,
)
from servicekontor.core.errors import DomainError


class NoStatistics(DomainError):
    http_status = 403
    default_message = _("You have no access to statistics.")


@dataclass(frozen=True)
class Scope:
    agency_ids: frozenset[int] | None  # None: every agency
    office_ids: frozenset[int] | None  # None: every office
    sees_occupancy: bool

    @property
    def is_network(self) -> bool:
        return self.agency_ids is None and self.office_ids is None

    def allows_agency(self, agency_id: int) -> bool:
        return self.agency_ids is None or agency_id in self.agency_ids

    def allows_office(self, office_id: int) -> bool:
        return self.office_ids is None or office_id in self.office_ids


EVERYTHING = Scope(agency_ids=None, office_ids=None, sees_occupancy=True)


def scope_for(user: User) -> Scope:
    """The user's scope; raises NoStatistics (403) for a user who may see none."""
    if not may_see_statistics(user):
        raise NoStatistics()
    if is_network_admin(user):
        return EVERYTHING
    if user.role == Role.OFFICE_MANAGER:
        offices = frozenset(managed_offices(user).values_list("pk", flat=True))
        return Scope(agency_ids=None, office_ids=offices, sees_occupancy=True)
    if user.role == Role.AGENCY_ANALYST and user.analyst_agency_id is not None:
        return scope_for_agency(user.analyst_agency_id)
    raise NoStatistics()


def scope_for_agency(agency_id: int) -> Scope:
    """An agency's API client: that agency's services at every office, like its analysts."""
    return Scope(agency_ids=frozenset({agency_id}), office_ids=None, sees_occupancy=False)
