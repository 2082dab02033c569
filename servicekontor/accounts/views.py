from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from servicekontor.accounts.models import Role, User
from servicekontor.accounts.permissions import is_network_admin, managed_offices


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    links: list[tuple[str, str]] = []
    if user.role in (Role.SERVICE_OFFICER, Role.OFFICE_MANAGER) and user.offices.exists():
        links.append((_("Sign in at a desk"), reverse("desk:choose")))
    if is_network_admin(user) or user.role in (Role.OFFICE_MANAGER, Role.AGENCY_ANALYST):
        links.append((_("Statistics"), reverse("reports:home")))
    if is_network_admin(user) or user.role == Role.AGENCY_ANALYST:  # costs.queries.may_see_costs
        links.append((_("Costs and settlement"), reverse("costs:index")))
    if is_network_admin(user):
        links.append((_("Network planning"), reverse("planning:index")))
        links.append((_("Change plans"), reverse("changeplans:index")))
        links.append((_("Registry administration"), reverse("admin:index")))
    return render(
        request,
        "accounts/home.html",
        {
            "offices": user.offices.all(),
            "competences": user.competences.all(),
            "links": links,
            # Every office the user may watch, none left out (a network administrator
            # sees them all: a long list, folded on the page).
            "live_offices": list(managed_offices(user).order_by("name")),
        },
    )
