"""Background planning runs: the page queues a solve, shows its progress, can stop it."""

import pytest
from django.urls import reverse

from servicekontor.planning.models import PlanRun, PlanRunStatus
from servicekontor.planning.plans import Objective, PlanRequest, Question
from servicekontor.planning.services import begin_plan_run, create_plan_run, request_plan_stop
from servicekontor.planning.tasks import solve_plan_run
from servicekontor.planning.tests.test_plan import DAY, _login, _office_at, charlie, nadia

__all__ = ["charlie", "nadia"]  # fixtures

SITES = b"code,name,latitude,longitude\nlule,Lule site,65.58,22.15\nvisby,Visby site,57.64,18.29\n"


def _post(client, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "on": DAY.isoformat(),
        "action": "propose",
        "objective": "coverage",
        "k": 1,
        "radius_km": 25,
        "sites_csv": SimpleUploadedFile("sites.csv", SITES, content_type="text/csv"),
    }
    data.update(extra)
    return client.post(reverse("planning:index"), data)


@pytest.mark.django_db
def test_plan_run__post__queued_then_answered_on_its_page(
    client, nadia, django_capture_on_commit_callbacks
):
    _office_at("Stockholm")
    _login(client, nadia)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(client)
    # one run queued (core.lost_connection's own marker of a POST's commit aside, decision 0088)
    queued = [c for c in callbacks if c.__module__ != "servicekontor.core.lost_connection"]
    assert response.status_code == 302 and len(queued) == 1
    run = PlanRun.objects.get()
    assert response["Location"] == reverse("planning:run", args=[run.pk])
    run.refresh_from_db()
    assert run.status == PlanRunStatus.DONE and run.created_by == nadia
    assert run.incumbent is not None and run.bound is not None and run.summary is not None
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'http-equiv="refresh"' not in html and "hx-get" not in html  # finished: no polling
    assert [s["code"] for s in page.context["summary"]["opened"]] in (["lule"], ["visby"])
    assert page.context["save_form"].initial["payload"]  # can be saved like any result


@pytest.mark.django_db
def test_plan_run__queued__page_reloads_itself_and_htmx_polls(client, nadia):
    _office_at("Stockholm")
    _login(client, nadia)
    response = _post(client)  # the task is enqueued on commit: never here, so it stays queued
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert "hx-get" in html and 'hx-trigger="every 1s"' in html
    assert reverse("planning:run_stop", args=[PlanRun.objects.get().pk]) in html
    fragment = client.get(
        reverse("planning:run_progress", args=[PlanRun.objects.get().pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment


@pytest.mark.django_db
def test_plan_run__stop__best_answer_so_far_kept(client, nadia):
    _office_at("Stockholm")
    _login(client, nadia)
    # The whole Swedish instance: the solve reports its heuristic first, and stops there.
    run = create_plan_run(
        user=nadia,
        day=DAY,
        request=PlanRequest(
            action=Question.PROPOSE, objective=Objective.COVERAGE, k=30, radius_km=25.0
        ),
    )
    stop = client.post(reverse("planning:run_stop", args=[run.pk]))
    assert stop.status_code == 302
    run.refresh_from_db()
    assert run.stop_requested
    assert solve_plan_run.call(run_id=str(run.pk)) in (PlanRunStatus.STOPPED, PlanRunStatus.DONE)
    run.refresh_from_db()
    assert run.summary is not None
    solution = run.summary["solution"]
    assert len(run.summary["opened"]) == 30  # a whole answer, not a half one
    if run.status == PlanRunStatus.STOPPED:
        assert solution["status"] == "Stopped" and solution["bound"] >= solution["objective"]
    else:  # proven before the first report could stop it
        assert solution["optimal"]
    fragment = client.get(reverse("planning:run_progress", args=[run.pk]))
    assert fragment["HX-Refresh"] == "true"  # finished: htmx reloads the page into the answer
    # Stopping a finished run changes nothing.
    assert request_plan_stop(run=run) is False


@pytest.mark.django_db
def test_plan_run__taken_once():
    run = create_plan_run(
        user=None, day=DAY, request=PlanRequest(action=Question.COVER, radius_km=25.0)
    )
    assert begin_plan_run(run_id=str(run.pk)) is not None
    assert begin_plan_run(run_id=str(run.pk)) is None  # a second worker gets nothing
    assert solve_plan_run.call(run_id=str(run.pk)) == "not queued"


@pytest.mark.django_db
def test_plan_run__bad_question__400_and_nothing_queued(client, nadia):
    _office_at("Stockholm")
    _login(client, nadia)
    response = _post(client, action="close", n=1, keep="nowhere")
    assert response.status_code == 400
    assert "nowhere" in response.content.decode()
    assert not PlanRun.objects.exists()


@pytest.mark.django_db
def test_plan_run__others_and_unknown_ids(client, nadia, charlie):
    run = create_plan_run(
        user=None, day=DAY, request=PlanRequest(action=Question.COVER, radius_km=25.0)
    )
    _login(client, charlie)
    assert client.get(reverse("planning:run", args=[run.pk])).status_code == 403
    assert client.post(reverse("planning:run_stop", args=[run.pk])).status_code == 403
    _login(client, nadia)
    assert client.get(reverse("planning:run", args=["not-a-uuid"])).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("planning:run_progress", args=[missing])).status_code == 404
    # A GET of the stop URL (back/forward) leads to the run's page and stops nothing.
    by_get = client.get(reverse("planning:run_stop", args=[run.pk]))
    assert by_get.status_code == 303
    assert by_get["Location"] == reverse("planning:run", args=[run.pk])
    run.refresh_from_db()
    assert not run.stop_requested
    for name in ("planning:save", "planning:export"):
        by_get = client.get(reverse(name))
        assert by_get.status_code == 303 and by_get["Location"] == reverse("planning:index")


@pytest.mark.django_db
def test_planning_page__text_says_where_the_solve_runs(client, nadia, settings):
    """Immediate backend: the solve runs inside the request (no progress to show); a worker's
    backend (make run, production): in the background with its progress."""
    _login(client, nadia)
    html = client.get(reverse("planning:index")).content.decode()
    assert "ingen bakgrundsprocess" in html and "beräknas i bakgrunden" not in html
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    html = client.get(reverse("planning:index")).content.decode()
    assert "beräknas i bakgrunden" in html and "ingen bakgrundsprocess" not in html


@pytest.mark.django_db
def test_run_progress__says_the_time_is_the_solvers(client, nadia):
    """The figure is the solver's time, not the run's (walk, 1 Dec 2026: a run of 2–3 s read
    "Done, 0.0 s"); small times keep two decimals."""
    _login(client, nadia)
    run = create_plan_run(
        user=nadia, day=DAY, request=PlanRequest(action=Question.COVER, radius_km=25.0)
    )
    PlanRun.objects.filter(pk=run.pk).update(status=PlanRunStatus.RUNNING, seconds=0.034)
    html = client.get(reverse("planning:run_progress", args=[run.pk])).content.decode()
    assert "lösningstid 0,03 s" in html
    html = client.get("/en" + reverse("planning:run_progress", args=[run.pk])).content.decode()
    assert "solver time 0.03 s" in html
