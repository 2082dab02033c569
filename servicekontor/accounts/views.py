from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import is_network_admin


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    links: list[tuple[str, str]] = []
    if is_network_admin(user):
        links.append((_("Registry administration"), reverse("admin:index")))
    return render(
        request,
        "accounts/home.html",
        {
            "offices": user.offices.all(),
            "competences": user.competences.all(),
            "links": links,
        },
    )
