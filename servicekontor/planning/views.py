"""Network planning pages for network administrators. Thin: forms in, queries/services out."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from servicekontor.accounts.permissions import is_network_admin
from servicekontor.core import clock, spreadsheets
from servicekontor.core.geography import load_localities
from servicekontor.core.post_only import post_or_redirect
from servicekontor.network.network_check import check_network, coverage_warning
from servicekontor.planning import exports, handoff, maps
from servicekontor.planning.forms import CompareForm, PlanForm, SaveScenarioForm
from servicekontor.planning.measures import REFERENCE_SHARE_WITHIN_50_KM
from servicekontor.planning.models import PlanRun, Scenario
from servicekontor.planning.plans import (
    PlanInputError,
    PlanRequest,
    Question,
    read_matrix_csv,
    read_sites_csv,
    result_to_dict,
)
from servicekontor.planning.queries import (
    check_plan_on,
    plan_on,
    plan_run,
    saved_scenarios,
    with_closed_visits,
)
from servicekontor.planning.services import create_plan_run, request_plan_stop, save_scenario
from servicekontor.planning.tasks import solve_plan_run

WEB_TIME_LIMIT = 30.0  # seconds of solver time per page view; the gap is shown if it stops
# Seconds of solver time for a background run; the page can stop it sooner and keep the best.
BACKGROUND_TIME_LIMIT = 600.0


def _require_admin(request: HttpRequest) -> None:
    if not is_network_admin(request.user):  # type: ignore[arg-type]
        raise PermissionDenied(_("Network planning is for network administrators."))


def _map_uri(summary: dict[str, Any]) -> str:
    labels = (_("Localities"), _("Offices"), _("New offices"), _("Closed offices"))
    png = maps.summary_png(summary, load_localities(), labels)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _live_map(summary: dict[str, Any]) -> dict[str, Any] | None:
    """Data for the optional interactive map, or None when Leaflet is not installed."""
    if not settings.LEAFLET_DIR.is_dir():
        return None
    data = maps.live_map_data(summary, load_localities())
    data.update(
        tiles=settings.PLANNING_MAP_TILES,
        attribution=settings.PLANNING_MAP_ATTRIBUTION,
        labels={
            "kept": _("Office"),
            "opened": _("Proposed new office"),
            "closed": _("Office to close"),
            "served": _("Population served"),
            "population": _("Population"),
            "coverage": _("Within the radius of an office"),
            "localities": _("Localities"),
        },
    )
    return data


def _csv_response(summary: dict[str, Any], filename: str) -> HttpResponse:
    header, rows = exports.summary_table(summary)
    return spreadsheets.csv_response(header, rows, filename=filename)


def _index_context(form: PlanForm, compare_form: CompareForm) -> dict[str, Any]:
    return {
        "form": form,
        "scenarios": saved_scenarios()[:50],
        "compare_form": compare_form,
        "reference": REFERENCE_SHARE_WITHIN_50_KM,
        "network_checks": check_network(),
        "background_solves": background_solves(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """GET with parameters computes (bookmarkable); POST does the same with uploaded CSVs."""
    _require_admin(request)
    data = request.POST if request.method == "POST" else request.GET
    form = PlanForm(
        data or None,
        request.FILES or None,
        initial={"on": clock.local_today(), "action": Question.MEASURE},
    )
    context = _index_context(form, CompareForm())
    status = 200
    if form.is_bound:
        if form.is_valid():
            day: dt.date = form.cleaned_data["on"]
            plan_request = PlanRequest.from_fields(
                action=form.cleaned_data["action"],
                objective=form.cleaned_data["objective"],
                k=form.cleaned_data.get("k"),
                n=form.cleaned_data.get("n"),
                radius_km=form.cleaned_data["radius_km"],
                keep=form.cleaned_data.get("keep"),
                time_limit=WEB_TIME_LIMIT,
                quick=form.cleaned_data["quick"],
                stops=form.cleaned_data.get("stops"),
                stop_days=form.cleaned_data.get("stop_days"),
            )
            try:
                sites_text = form.uploaded_text("sites_csv")
                matrix_text = form.uploaded_text("matrix_csv")
                candidates = read_sites_csv(sites_text) if sites_text else None
                matrix = read_matrix_csv(matrix_text) if matrix_text else None
                if request.method == "POST" and plan_request.action != Question.MEASURE:
                    # A solve: in the background, with its progress on the run's page.
                    check_plan_on(
                        day=day, request=plan_request, candidates=candidates, matrix=matrix
                    )
                    return _start_run(request, day, plan_request, sites_text, matrix_text)
                result = plan_on(
                    day=day, request=plan_request, candidates=candidates, matrix=matrix
                )
            except PlanInputError as exc:
                # The page's language: the pure module gives an English id and its values.
                form.add_error(None, _(exc.message) % exc.params if exc.params else _(exc.message))
                status = 400
            except ValueError as exc:  # the upload checks (forms.py), already translated
                form.add_error(None, str(exc))
                status = 400
            else:
                summary = result_to_dict(result)
                if data.get("format") == "csv":
                    return _csv_response(summary, exports.plan_filename(summary, day=day))
                context.update(
                    _result_context(
                        summary,
                        day,
                        csv_query=(request.GET.urlencode() + "&format=csv")
                        if request.method == "GET"
                        else None,
                    )
                )
        else:
            status = 400
    return render(request, "planning/index.html", context, status=status)


def background_solves() -> bool:
    """Whether a solve runs in a worker (its page then shows the progress) or, with the
    immediate task backend (`TASKS_BACKEND`), inside the request that asks for it."""
    return not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def _result_context(
    summary: dict[str, Any], day: dt.date, *, csv_query: str | None = None
) -> dict[str, Any]:
    """What the result section (planning/_result.html) shows for a computed plan."""
    return {
        # shown with the closed offices' visits that move (walk F21); signed and saved as is
        "summary": with_closed_visits(summary, today=clock.local_today()),
        "day": day,
        "coverage": coverage_warning(day=day),
        "map_uri": _map_uri(summary),
        "live_map": _live_map(summary),
        "save_form": SaveScenarioForm(initial={"payload": handoff.sign(day, summary)}),
        "csv_query": csv_query,
    }


def _start_run(
    request: HttpRequest,
    day: dt.date,
    plan_request: PlanRequest,
    sites_text: str | None,
    matrix_text: str | None,
) -> HttpResponse:
    run = create_plan_run(
        user=request.user,  # type: ignore[arg-type]
        day=day,
        request=dataclasses.replace(plan_request, time_limit=BACKGROUND_TIME_LIMIT),
        sites_csv=sites_text or "",
        matrix_csv=matrix_text or "",
    )
    run_id = str(run.pk)
    transaction.on_commit(lambda: solve_plan_run.enqueue(run_id=run_id))
    return redirect("planning:run", run_id=run_id)


def _get_run(run_id: str) -> PlanRun:
    run = plan_run(run_id=run_id)
    if run is None:
        raise Http404(_("No such planning run."))
    return run


@login_required
@require_GET
def run(request: HttpRequest, run_id: str) -> HttpResponse:
    """A background solve: its progress while it runs (the page reloads itself without
    JavaScript; htmx swaps the progress in place), its answer when done."""
    _require_admin(request)
    obj = _get_run(run_id)
    context: dict[str, Any] = {"run": obj, "reference": REFERENCE_SHARE_WITHIN_50_KM}
    if obj.summary is not None:
        context.update(_result_context(obj.summary, obj.on_date))
    return render(request, "planning/run.html", context)


@login_required
@require_GET
def run_progress(request: HttpRequest, run_id: str) -> HttpResponse:
    """The progress fragment htmx polls; once the run has finished it asks for a full reload
    (HX-Refresh), which shows the answer."""
    _require_admin(request)
    obj = _get_run(run_id)
    response = render(request, "planning/_run_progress.html", {"run": obj})
    if not obj.active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@post_or_redirect(lambda request, run_id: reverse("planning:run", args=[run_id]))
def run_stop(request: HttpRequest, run_id: str) -> HttpResponse:
    """Ask a running solve to stop; it keeps the best answer found so far."""
    _require_admin(request)
    obj = _get_run(run_id)
    if request_plan_stop(run=obj):
        messages.info(request, _("Stopping: the best answer found so far is kept."))
    else:
        messages.info(request, _("The computation had already finished."))
    return redirect("planning:run", run_id=run_id)


@login_required
@post_or_redirect(lambda request: reverse("planning:index"))
def save(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = SaveScenarioForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the scenario a name, then save again."))
        return redirect("planning:index")
    try:
        day, summary = handoff.unsign(form.cleaned_data["payload"])
    except (signing.BadSignature, ValueError):
        messages.error(request, _("The result expired or was altered; compute it again."))
        return redirect("planning:index")
    scenario = save_scenario(
        user=request.user,  # type: ignore[arg-type]
        name=form.cleaned_data["name"],
        day=day,
        summary=summary,
    )
    messages.success(request, _("Scenario saved."))
    return redirect("planning:scenario", pk=scenario.pk)


@login_required
@post_or_redirect(lambda request: reverse("planning:index"))
def export(request: HttpRequest) -> HttpResponse:
    """CSV of a computed (not yet saved) result, from its signed payload."""
    _require_admin(request)
    try:
        day, summary = handoff.unsign(request.POST.get("payload", ""))
    except (signing.BadSignature, ValueError):
        messages.error(request, _("The result expired or was altered; compute it again."))
        return redirect("planning:index")
    return _csv_response(summary, exports.plan_filename(summary, day=day.isoformat()))


@login_required
@require_GET
def scenario(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    obj = get_object_or_404(Scenario, pk=pk)
    return render(
        request,
        "planning/scenario.html",
        {
            "scenario": obj,
            "summary": with_closed_visits(obj.summary, today=clock.local_today())
            if obj.summary
            else obj.summary,
            "map_uri": _map_uri(obj.summary),
            "live_map": _live_map(obj.summary),
            "reference": REFERENCE_SHARE_WITHIN_50_KM,
            "coverage": coverage_warning(day=obj.on_date),
            # "Make this a change plan" (changeplans:from_planning) takes it as an answer
            "payload": handoff.sign(obj.on_date, obj.summary),
            "plan_name": obj.name,
        },
    )


@login_required
@require_GET
def scenario_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    obj = get_object_or_404(Scenario, pk=pk)
    return _csv_response(
        obj.summary,
        exports.plan_filename(obj.summary, day=obj.on_date, prefix=f"scenario-{obj.pk}-{obj.name}"),
    )


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = CompareForm(request.GET)
    if not form.is_valid():
        # The planning page again, its compare form with the error and the values (400).
        if Scenario.objects.count() < 2:
            form.add_error(
                None,
                _(
                    "Two saved scenarios are needed to compare, and fewer are saved yet: "
                    "save a planning result as a scenario first."
                ),
            )
        else:
            form.add_error(None, _("Choose two saved scenarios to compare."))
        plan_form = PlanForm(initial={"on": clock.local_today(), "action": Question.MEASURE})
        return render(request, "planning/index.html", _index_context(plan_form, form), status=400)
    a = get_object_or_404(Scenario, pk=form.cleaned_data["a"])
    b = get_object_or_404(Scenario, pk=form.cleaned_data["b"])
    return render(
        request,
        "planning/compare.html",
        {
            "pair": [
                {
                    "scenario": s,
                    "summary": with_closed_visits(s.summary, today=clock.local_today())
                    if s.summary
                    else s.summary,
                    "map_uri": _map_uri(s.summary),
                }
                for s in (a, b)
            ],
            "reference": REFERENCE_SHARE_WITHIN_50_KM,
        },
    )
