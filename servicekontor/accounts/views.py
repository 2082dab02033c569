from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import (
    is_network_admin,
    managed_offices,
    may_see_agency_data,
    may_see_statistics,
    may_sign_in_at_desks,
)


def screens(request: HttpRequest, user: User) -> list[tuple[str, str]]:
    """(label, URL) of every screen of the whole network or agency the user may open, by the
    permission checks the screens' views use (`accounts.permissions`; the admin's own
    `has_permission`). An office's screens (live view, staffing) are listed per office."""
    links: list[tuple[str, str]] = []
    if may_sign_in_at_desks(user):  # desk.views.choose_desk
        links.append((_("Sign in at a desk"), reverse("desk:choose")))
    if may_see_statistics(user):  # reports.scope.scope_for
        links.append((_("Statistics"), reverse("reports:home")))
    if is_network_admin(user):  # scope.is_network: the network's dashboard and staffing
        links.append((_("Statistics: the network"), reverse("reports:network")))
        links.append((_("Staffing of the network"), reverse("staffing:network")))
    if may_see_agency_data(user):  # costs.queries.may_see_costs, handovers.views
        links.append((_("Costs and settlement"), reverse("costs:index")))
        links.append((_("Handovers"), reverse("handovers:list")))
    if is_network_admin(user):  # planning.views, changeplans.views.admin_view
        links.append((_("Network planning"), reverse("planning:index")))
        links.append((_("Change plans"), reverse("changeplans:index")))
    if admin.site.has_permission(request):
        links.append((_("Registry administration"), reverse("admin:index")))
    return links


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "accounts/home.html",
        {
            "offices": user.offices.all(),
            "competences": user.competences.all(),
            "links": screens(request, user),
            # Every office the user manages, none left out, with its live view and staffing
            # (`can_manage`, as both views ask; a network administrator sees them all: a long
            # list, folded on the page).
            "managed_offices": list(managed_offices(user).order_by("name")),
        },
    )
