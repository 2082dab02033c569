"""Change-plan pages for network administrators. Thin: forms in, services and queries out,
tables from `changeplans.exports`, the timeline from `changeplans.charts`. Every page works
without JavaScript (plain forms, server-drawn SVG with the tables beside it)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicekontor.accounts.models import User
from servicekontor.accounts.permissions import is_network_admin
from servicekontor.accounts.refusal import refused
from servicekontor.changeplans import charts, exports, queries, services
from servicekontor.changeplans.forms import (
    ChangeForm,
    CompareForm,
    DateRuleForm,
    FromPlanningForm,
    PlanForm,
    ScenarioForm,
)
from servicekontor.changeplans.models import ChangePlan, PlannedChange
from servicekontor.core import clock, spreadsheets
from servicekontor.core.errors import DomainError
from servicekontor.core.forms import labelled_errors
from servicekontor.core.post_only import post_or_redirect
from servicekontor.planning import handoff

View = Callable[..., HttpResponse]


def admin_view(view: View) -> View:
    """Login required, network administrators only (403 page otherwise), domain errors as a
    page with their status."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (isinstance(user, User) and is_network_admin(user)):
            return refused(request, _("Change plans are for network administrators."))
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.http_status == 403:
                return refused(request, exc.message)
            return render(
                request, "changeplans/error.html", {"message": exc.message}, status=exc.http_status
            )

    return wrapper


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin_view
def index(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            plan = services.create_plan(
                user=_user(request),
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
            return redirect("changeplans:plan", pk=plan.pk)
        status = 400
    listed = list(queries.plans())
    adopted: dict[str, list[ChangePlan]] = defaultdict(list)
    for p in sorted(listed, key=lambda p: p.adopted_at or p.created_at, reverse=True):
        if not p.is_draft:
            adopted[p.name].append(p)
    rows = []
    for p in listed:
        by = queries.superseded_by(p, adopted[p.name])
        rows.append((p, queries.adopted_note(by) if by else ""))
    return render(
        request,
        "changeplans/index.html",
        {"plans": listed, "rows": rows, "form": form, "compare_form": CompareForm()},
        status=status,
    )


def _timeline(ev: queries.Evaluation, axis: list[dt.date] | None = None) -> str:
    steps = ev.steps
    days = axis or [s.day for s in steps]

    def at(day: dt.date) -> queries.StepRow:
        return max((s for s in steps if s.day <= day), key=lambda s: s.day, default=steps[0])

    index = {c.change.pk: i for i, c in enumerate(ev.changes)}
    rows = [
        charts.Row(
            label=f"{c.change.position}. {c.label}",
            day=c.day,
            follows=index.get(c.change.after_change_id) if c.change.after_change_id else None,
        )
        for c in ev.changes
    ]
    return charts.timeline(
        title=_("Timeline of the plan “%(name)s”") % {"name": str(ev.plan)},
        desc=_(
            "One row per change at its date; dashed arrows from a change to those that follow "
            "it. Below, on the same date axis: the share of the population within 25 km, the "
            "staff needed and the cost a month, after each step. The tables below give the "
            "same figures."
        ),
        rows=rows,
        step_days=days,
        today=clock.local_today(),
        panels=[
            charts.Panel(
                _("Within 25 km"),
                [100 * at(d).effect.access.share_within[1] for d in days],
                " %",
            ),
            charts.Panel(_("Staff needed (FTE)"), [at(d).effect.fte_total for d in days]),
            charts.Panel(
                _("Modelled cost a month (kr)"), [at(d).effect.costs.total_ore / 100 for d in days]
            ),
        ],
    )


def _plan_page(
    request: HttpRequest,
    plan: ChangePlan,
    *,
    change_form: ChangeForm | None = None,
    scenario_form: ScenarioForm | None = None,
    status: int = 200,
    printable: bool = False,
) -> HttpResponse:
    ev = queries.evaluate_plan(plan)
    tables = {
        # (header, rows, how each column is shown: `exports.PERCENT`, `KRONOR` or plain)
        "steps": (*exports.steps_table(ev), exports.steps_formats(ev)),
        "counties": (*exports.counties_table(ev), exports.COUNTIES_FORMATS),
        "offices": (*exports.offices_table(ev), []),
        "moves": (*exports.moves_table(ev), []),
        "assumptions": exports.assumptions_table(ev),
    }
    adopted = queries.adopted_versions(plan)
    # the page's date forms (not on the print) list the same options: read once
    shared = None if printable else DateRuleForm.shared_choices(plan)
    context = {
        "plan": plan,
        # "Version 2 was adopted on …" on the other versions; a draft made before it may not
        # be adopted (walk: v1 still read "Draft" with its adopt button)
        "adopted_versions": [(v, queries.adopted_note(v)) for v in adopted],
        "superseded_by": queries.superseded_by(plan, adopted),
        "ev": ev,
        "timeline": _timeline(ev),
        "tables": tables,
        "versions": ChangePlan.objects.filter(name=plan.name).order_by("version"),
        "change_form": change_form or ChangeForm(plan=plan),
        "scenario_form": scenario_form or ScenarioForm(),
        "change_rows": [
            (
                c,
                DateRuleForm(
                    plan=plan,
                    exclude=c.change.pk,
                    choices=shared,
                    prefix=f"c{c.change.pk}",
                    initial={
                        "on_date": c.change.on_date,
                        "after_change": c.change.after_change_id,
                        "after_milestone": c.change.after_milestone_id,
                        "offset_days": c.change.offset_days,
                    },
                ),
            )
            for c in ev.changes
        ],
    }
    template = "changeplans/print.html" if printable else "changeplans/plan.html"
    return render(request, template, context, status=status)


@admin_view
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, get_object_or_404(ChangePlan, pk=pk))


@admin_view
@require_GET
def printable(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, get_object_or_404(ChangePlan, pk=pk), printable=True)


def _plan_url(request: HttpRequest, pk: int, **_ignored: object) -> str:
    """Where a GET of one of the plan's form URLs (back/forward) leads: the plan's page."""
    return reverse("changeplans:plan", kwargs={"pk": pk})


@admin_view
@post_or_redirect(_plan_url)
def add_change(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(ChangePlan, pk=pk)
    form = ChangeForm(request.POST, plan=obj)
    if not form.is_valid():
        return _plan_page(request, obj, change_form=form, status=400)
    d = form.cleaned_data
    services.add_change(
        plan=obj,
        kind=d["kind"],
        on_date=d.get("on_date"),
        after_change=d.get("after_change"),
        after_milestone=d.get("after_milestone"),
        offset_days=d["offset_days"],
        office_codes=d["office_codes"],
        agency=d.get("agency"),
        milestone=d.get("milestone"),
        new_office=d["new_office"],
        hours=d["hours_rows"],
        note=d.get("note") or "",
        agencies_after_opening=list(d.get("agencies") or []),
    )
    messages.success(request, _("Change added."))
    return redirect("changeplans:plan", pk=obj.pk)


@admin_view
@post_or_redirect(_plan_url)
def change_date(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    obj = get_object_or_404(ChangePlan, pk=pk)
    change = get_object_or_404(PlannedChange, pk=change_pk, plan=obj)
    form = DateRuleForm(request.POST, plan=obj, exclude=change.pk, prefix=f"c{change.pk}")
    if not form.is_valid():
        # Each error with its field's label ("Date: Give a date within 20 years …").
        raise DomainError(labelled_errors(form))
    d = form.cleaned_data
    services.set_change_date(
        change=change,
        on_date=d.get("on_date"),
        after_change=d.get("after_change"),
        after_milestone=d.get("after_milestone"),
        offset_days=d["offset_days"],
    )
    messages.success(request, _("Date changed; the changes that follow it moved with it."))
    return redirect("changeplans:plan", pk=obj.pk)


@admin_view
@post_or_redirect(_plan_url)
def remove_change(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    """Without ``confirm``: the change as it will be lost (its date, what it does, an
    opening's name, point, hours and counters) and a confirmation (decision 0069: a removal is
    not undone); with it: remove. A removal that would be refused is refused at once."""
    obj = get_object_or_404(ChangePlan, pk=pk)
    change = get_object_or_404(PlannedChange, pk=change_pk, plan=obj)
    if request.POST.get("confirm") != "on":
        services.check_removable(change)
        rows = queries.plan_changes(obj)
        names = queries.plan_office_names(rows, queries.registry_state())
        day = queries.resolved_dates(rows).get(change.pk)
        return render(
            request,
            "changeplans/remove_confirm.html",
            {
                "plan": obj,
                "change": change,
                "day": day,
                "label": queries.change_label(change, names),
                "follows": queries.follows_text(change, rows),
                "details": queries.change_details(change),
            },
        )
    services.remove_change(change=change)
    messages.success(request, _("Change removed."))
    return redirect("changeplans:plan", pk=obj.pk)


@admin_view
@post_or_redirect(_plan_url)
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    copy = services.new_version(plan=get_object_or_404(ChangePlan, pk=pk), user=_user(request))
    messages.success(request, _("Version %(n)s made; edit it here.") % {"n": copy.version})
    return redirect("changeplans:plan", pk=copy.pk)


@admin_view
@post_or_redirect(_plan_url)
def from_scenario(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(ChangePlan, pk=pk)
    form = ScenarioForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, obj, scenario_form=form, status=400)
    made = services.add_openings_from_scenario(
        plan=obj,
        scenario=form.cleaned_data["scenario"],
        on_date=form.cleaned_data["on_date"],
        counters=form.cleaned_data["counters"],
        hours=form.cleaned_data["hours"],
        agencies=list(form.cleaned_data["agencies"]),
    )
    messages.success(request, _("%(n)s openings added.") % {"n": len(made)})
    return redirect("changeplans:plan", pk=obj.pk)


def _planning_url(request: HttpRequest) -> str:
    return reverse("planning:index")


@admin_view
@post_or_redirect(_planning_url)
def from_planning(request: HttpRequest) -> HttpResponse:
    """ "Make this a change plan" of a network-planning answer (walk F14), posted from the
    answer with its signed summary. Without ``confirm``: what the plan will hold (each
    closing with the visits a year its office took, each opening), its effect on access as
    the planner measured it, and the form (name, date, the new offices' agencies); with it:
    the draft plan, whose page shows the usual effect on access, staff and cost."""
    try:
        day, summary = handoff.unsign(request.POST.get("payload", ""))
    except (signing.BadSignature, ValueError):
        raise DomainError(
            _("The planning answer expired or was altered; compute it again.")
        ) from None
    closed = [s for s in summary.get("closed") or [] if isinstance(s, dict)]
    opened = [s for s in summary.get("opened") or [] if isinstance(s, dict)]
    if not closed and not opened:
        raise DomainError(_("This planning answer neither opens nor closes an office."))
    status = 200
    if request.POST.get("confirm") == "on":
        form = FromPlanningForm(request.POST, opens=bool(opened))
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = services.plan_from_planning(
                    user=_user(request),
                    name=d["name"],
                    summary=summary,
                    on_date=d["on_date"],
                    counters=d.get("counters") or 2,
                    hours=d.get("hours"),
                    agencies=list(d.get("agencies") or []),
                    description=_(
                        "Made from a network-planning answer for the network on %(day)s: %(question)s."
                    )
                    % {"day": day.isoformat(), "question": services.planning_question(summary)},
                )
            except services.PlanExists as exc:
                form.add_error("name", str(exc.message))
            else:
                messages.success(request, _("Change plan made as a draft; its effect is below."))
                return redirect("changeplans:plan", pk=made.pk)
        status = 400
    else:
        form = FromPlanningForm(
            opens=bool(opened),
            initial={
                "payload": request.POST.get("payload", ""),
                "name": request.POST.get("name", "")[:120]
                or services.planning_question(summary).capitalize(),
            },
        )
    codes = [
        code for s in closed for code in str(s.get("code", "")).split(services.SAME_PLACE_JOIN)
    ]
    visits, months = queries.visits_a_year(today=clock.local_today(), codes=codes)
    closings = [
        {
            "site": s,
            "visits": sum(
                visits.get(code, 0.0)
                for code in str(s.get("code", "")).split(services.SAME_PLACE_JOIN)
            ),
        }
        for s in closed
    ]
    return render(
        request,
        "changeplans/from_planning.html",
        {
            "form": form,
            "summary": summary,
            "day": day,
            "question": services.planning_question(summary),
            "closings": closings,
            "visits_total": sum(c["visits"] for c in closings),
            "statistics_months": months,
            "opened": opened,
            "stops_left_out": len(summary.get("opened_stops") or []),
        },
        status=status,
    )


@admin_view
@post_or_redirect(_plan_url)
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Without ``confirm``: what adoption would write, and a confirmation (it writes into the
    registry and is not undone from here); with it: adopt."""
    obj = get_object_or_404(ChangePlan, pk=pk)
    if request.POST.get("confirm") != "on":
        d = services.adoption_preview(obj)
        rows = queries.plan_changes(obj)
        names = queries.plan_office_names(rows, queries.registry_state())
        dates = queries.resolved_dates(rows)
        return render(
            request,
            "changeplans/adopt_confirm.html",
            {
                "plan": obj,
                # each with its date (walk F10: the list named the changes without them)
                "changes": [
                    (c.position, dates.get(c.pk), queries.change_label(c, names)) for c in rows
                ],
                "counts": [
                    (_("Offices opened"), len(d.new_offices)),
                    (_("Offices changed (closing day, dates)"), len(d.changed_offices)),
                    (_("Offerings added"), len(d.new_offerings)),
                    (_("Offerings changed (ended, dates)"), len(d.changed_offerings)),
                    (_("Opening-hours periods added"), len(d.new_hours)),
                    (_("Milestones moved"), len(d.moved_milestones)),
                ],
            },
        )
    result = services.adopt_plan(plan=obj, user=_user(request))
    messages.success(
        request,
        _("Adopted: %(n)s registry rows written, each naming this plan as its source.")
        % {"n": result.rows},
    )
    return redirect("changeplans:plan", pk=obj.pk)


TABLES = {
    "steps": exports.steps_table,
    "counties": exports.counties_table,
    "offices": exports.offices_table,
    "moves": exports.moves_table,
    "changes": exports.changes_table,
    "assumptions": exports.assumptions_table,
}


@admin_view
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """?format=csv&table=steps|counties|offices|moves|changes|assumptions, or ?format=xlsx
    (every table, one sheet each)."""
    obj = get_object_or_404(ChangePlan, pk=pk)
    fmt = request.GET.get("format", "csv")
    name = ("change-plan", obj.name, f"v{obj.version}")
    if fmt == "xlsx":
        ev = queries.evaluate_plan(obj)
        return spreadsheets.xlsx_response(
            exports.sheets(ev), filename=spreadsheets.download_name(*name, ext="xlsx")
        )
    table = request.GET.get("table", "steps")
    if fmt != "csv" or table not in TABLES:
        raise DomainError(
            _("Choose format=csv with table=%(tables)s, or format=xlsx.")
            % {"tables": "|".join(TABLES)}
        )
    ev = queries.evaluate_plan(obj)
    header, rows = TABLES[table](ev)
    return spreadsheets.csv_response(
        header, rows, filename=spreadsheets.download_name(*name, table, ext="csv")
    )


@admin_view
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        raise DomainError(_("Choose two plans to compare."))
    a, b = form.cleaned_data["a"], form.cleaned_data["b"]
    # Each plan evaluated on every date of both (the same base day, the day before the first
    # step of either): a figure of a plan on a date is its network on that date, not the one
    # of its previous step, which would leave out the registry's changes in between.
    shared = sorted(set(queries.plan_step_days(a)) | set(queries.plan_step_days(b)))
    ev_a = queries.evaluate_plan(a, extra_days=shared)
    ev_b = queries.evaluate_plan(b, extra_days=shared)
    axis = sorted({s.day for s in ev_a.steps} | {s.day for s in ev_b.steps})

    def at(ev: queries.Evaluation, day: dt.date) -> queries.StepRow:
        return max((s for s in ev.steps if s.day <= day), key=lambda s: s.day, default=ev.steps[0])

    rows = []
    for d in axis:
        sa, sb = at(ev_a, d), at(ev_b, d)
        rows.append(
            {
                "day": d,
                "pair": [
                    {
                        "step": s,
                        "here": s.day == d and bool(s.changes),
                        "within25": s.effect.access.share_within[1],
                        "mean_km": s.effect.access.mean_km
                        if math.isfinite(s.effect.access.mean_km)
                        else None,
                        "fte": s.effect.fte_total,
                        "cost_kr": s.effect.costs.total_ore / 100,
                    }
                    for s in (sa, sb)
                ],
            }
        )
    return render(
        request,
        "changeplans/compare.html",
        {
            "a": a,
            "b": b,
            "pair": [
                {"plan": p, "ev": ev, "timeline": _timeline(ev, axis)}
                for p, ev in ((a, ev_a), (b, ev_b))
            ],
            "rows": rows,
        },
    )
