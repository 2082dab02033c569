from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.accounts import personal_tokens
from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import (
    is_network_admin,
    managed_offices,
    may_see_agency_data,
    may_see_statistics,
    may_sign_in_at_desks,
)
from servicekontor.core.collation import swedish_key
from servicekontor.core.forms import PlainTextField
from servicekontor.core.post_only import post_or_redirect


def screens(request: HttpRequest, user: User) -> list[tuple[str, str]]:
    """(label, URL) of every screen of the whole network or agency the user may open, by the
    permission checks the screens' views use (`accounts.permissions`; the admin's own
    `has_permission`). An office's screens (live view, staffing) are listed per office."""
    links: list[tuple[str, str]] = []
    if may_sign_in_at_desks(user):  # desk.views.choose_desk
        links.append((_("Sign in at a desk"), reverse("desk:choose")))
    if may_sign_in_at_desks(user) or is_network_admin(user):  # desk.outreach_day
        links.append((_("Outreach stops by day"), reverse("outreach-day")))
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
    if personal_tokens.may_have_tokens(user):  # api_tokens
        links.append((_("My API tokens"), reverse("accounts:api_tokens")))
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
            "managed_offices": sorted(managed_offices(user), key=lambda o: swedish_key(o.name)),
        },
    )


class ApiTokenForm(forms.Form):
    name = PlainTextField(
        label=gettext_lazy("Name of the new token"),
        max_length=80,
        help_text=gettext_lazy("What it is for, e.g. “Monthly report script”: the list shows it."),
    )


def _tokens_page(
    request: HttpRequest,
    user: User,
    *,
    form: ApiTokenForm | None = None,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form or ApiTokenForm(),
            "tokens": personal_tokens.tokens_of(user),
            "new_token": new_token,
            "max_active": personal_tokens.MAX_ACTIVE,
        },
        status=status,
    )
    # the page may hold a new token, shown once: no cache keeps it
    response["Cache-Control"] = "no-store"
    return response


def _may_have_tokens(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not personal_tokens.may_have_tokens(user):
        raise PermissionDenied(str(personal_tokens.NoApiAccess().message))
    return user


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """My API tokens (walk F7): the list, and on POST a new token, shown once on the answer
    itself (never stored in the session or put in a URL)."""
    user = _may_have_tokens(request)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method != "POST":
        return _tokens_page(request, user)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, user, form=form, status=400)
    try:
        token = personal_tokens.issue(user=user, name=form.cleaned_data["name"])
    except personal_tokens.TooManyTokens as exc:
        form.add_error(None, str(exc.message))
        return _tokens_page(request, user, form=form, status=400)
    return _tokens_page(request, user, new_token=token)


def _tokens_url(request: HttpRequest, **_ignored: object) -> str:
    return reverse("accounts:api_tokens")


@login_required
@post_or_redirect(_tokens_url)
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    user = _may_have_tokens(request)
    found = personal_tokens.revoke(user=user, token_id=pk)
    if found is None:
        raise Http404
    messages.success(
        request,
        _("The token “%(name)s” is revoked: it is refused from the next request on.")
        % {"name": found.name},
    )
    return redirect("accounts:api_tokens")
