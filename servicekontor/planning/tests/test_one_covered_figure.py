""" "Population within R" is one figure: the solver's objective, the run's best answer and
bound, and the table's after column are all `plans.covered_population` of the answer, with
or without outreach stops (the walk found 8 603 301 beside 8 603 838: the solver did not
count the stops the table counts)."""

import pytest

from servicekontor.core.geography import Locality
from servicekontor.planning.models import PlanRun
from servicekontor.planning.optimize import Progress
from servicekontor.planning.plans import (
    Objective,
    PlanRequest,
    Question,
    Site,
    plan,
    result_to_dict,
)
from servicekontor.planning.tests.test_plan import _login, _office_at, nadia
from servicekontor.planning.tests.test_plan_run import _post

__all__ = ["nadia"]  # fixture


def _loc(i, lat, lon, pop):
    return Locality(
        geonameid=i,
        name=f"L{i}",
        ascii_name=f"L{i}",
        alternate_names=(),
        latitude=lat,
        longitude=lon,
        population=pop,
        county_code="",
        county="C",
    )


def _instance():
    # An office in the south, a served stop (1 day a week) in the north, towns between.
    towns = [_loc(i, 58.0 + 0.4 * i, 15.0 + 0.1 * (i % 3), 1000 + 137 * i) for i in range(1, 12)]
    office = Site("office", "Office", 58.0, 15.0)
    stop = Site("stop", "Stop", 62.4, 15.1, frequency=0.2)
    return towns, office, stop


@pytest.mark.parametrize("action", [Question.PROPOSE, Question.CLOSE])
@pytest.mark.parametrize("exact", [True, False])
def test_covered_figure__with_a_stop__solver_progress_and_table_agree(action, exact):
    towns, office, stop = _instance()
    existing = [office] if action == Question.PROPOSE else [office, Site("o2", "O2", 60.0, 15.1)]
    seen: list[Progress] = []

    def watch(state: Progress) -> bool:
        seen.append(state)
        return False

    result = plan(
        PlanRequest(
            action=action, objective=Objective.COVERAGE, k=2, n=1, radius_km=25, exact=exact
        ),
        localities=towns,
        existing=existing,
        stops=[stop],
        progress=watch,
    )
    s = result.solution
    assert s is not None
    # The stop adds 0.2 × the town it reaches: the figure is not a whole office count.
    assert s.objective == result.covered_after
    assert s.bound >= s.objective
    assert seen and round(seen[-1].incumbent) == result.covered_after
    summary = result_to_dict(result)
    solution = summary["solution"]
    assert isinstance(solution, dict) and solution["objective"] == summary["covered_after"]
    without = plan(
        PlanRequest(action=action, objective=Objective.COVERAGE, k=2, n=1, radius_km=25),
        localities=towns,
        existing=existing,
    )
    assert without.solution is not None
    assert without.solution.objective == without.covered_after < result.covered_after


@pytest.mark.django_db
def test_covered_figure__run_page__best_answer_bound_objective_and_table_are_one(
    client, nadia, django_capture_on_commit_callbacks
):
    _office_at("Stockholm")
    _login(client, nadia)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    run = PlanRun.objects.get()
    page = client.get(response["Location"])
    summary = page.context["summary"]
    assert run.incumbent == summary["solution"]["objective"] == summary["covered_after"]
    html = page.content.decode()
    progress = html[html.index('id="run-progress"') : html.index("</dl>")]
    shown = f"{summary['covered_after']:,}".replace(",", "\xa0")
    assert progress.count(shown) >= 1
    table_row = html[html.index("R = 25") :].split("</tr>")[0]
    assert shown in table_row
    assert f"objective {shown}" in html or f"målvärde {shown}" in html


def test_plan_request__stops__survive_the_background_round_trip():
    asked = PlanRequest(action=Question.PROPOSE, k=1, stops=2, stop_days=2.5)
    assert PlanRequest.from_dict(asked.as_dict()) == asked
    old = asked.as_dict()
    del old["stops"], old["stop_days"]  # a run queued before stops were stored
    assert PlanRequest.from_dict(old).stops == 0
