"""queries.figures: the month rollups and the day rollups give the same figures."""

import datetime as dt

from servicekontor.reports.queries import agency_usage, figures
from servicekontor.reports.scope import EVERYTHING

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOT_WHOLE = (dt.date(2026, 10, 31), dt.date(2026, 11, 30))  # day rollups (no data on 31 Oct)


def test_figures__month_and_day_rollups_agree(served_world):
    for by in [(), ("agency",), ("office", "agency"), ("county",), ("month", "office"), ("year",)]:
        whole = figures(scope=EVERYTHING, start=NOVEMBER[0], end=NOVEMBER[1], by=by)
        days = figures(scope=EVERYTHING, start=NOT_WHOLE[0], end=NOT_WHOLE[1], by=by)
        assert whole == days, by
        assert whole


def test_agency_usage__month_and_day_rollups_agree(served_world):
    whole = agency_usage(start=NOVEMBER[0], end=NOVEMBER[1])
    days = agency_usage(start=NOT_WHOLE[0], end=NOT_WHOLE[1])

    assert whole == days
    assert sum(u.visits for u in whole) == 4


def test_figures__percentiles_in_sql_follow_the_definition(served_world):
    """The database computes median/p90/within-target; measures.percentile_minute defines
    them. Random histograms of two agencies (targets 15 and 5 minutes) agree."""
    import random

    from servicekontor.reports.measures import percentile_minute
    from servicekontor.reports.models import WaitFigures

    served_world.fk.service_level_minutes = 5
    served_world.fk.save()
    rng = random.Random(7)
    day = dt.date(2026, 10, 15)
    for _case in range(5):
        WaitFigures.objects.filter(local_day=day).delete()
        histogram: dict[int, int] = {}
        within = 0
        for service, agency, target in (
            (served_world.tax, served_world.skatteverket, 15),
            (served_world.parental, served_world.fk, 5),
        ):
            for minute in rng.sample(range(90), rng.randint(1, 30)):
                n = rng.randint(1, 9)
                WaitFigures.objects.create(
                    office=served_world.office,
                    service=service,
                    agency=agency,
                    local_day=day,
                    minute=minute,
                    visits=n,
                )
                histogram[minute] = histogram.get(minute, 0) + n
                within += n if minute < target else 0
        from servicekontor.reports.models import DayFigures

        DayFigures.objects.update_or_create(
            office=served_world.office,
            service=served_world.tax,
            local_day=day,
            defaults={"agency": served_world.skatteverket, "called": 1},
        )
        (found,) = figures(scope=EVERYTHING, start=day, end=day).values()
        assert found.wait_median_minutes == percentile_minute(histogram, 0.5)
        assert found.wait_p90_minutes == percentile_minute(histogram, 0.9)
        assert found.within_target == within
