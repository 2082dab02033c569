"""coverage_warning: the registry's share of the latest published count of offices."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from servicekontor.network.network_check import coverage_warning
from tests.factories import make_office

pytestmark = pytest.mark.django_db
D = dt.date


def _published(tmp_path: Path, *lines: str) -> Path:
    folder = tmp_path / "counts"
    folder.mkdir()
    shutil.copy(Path(settings.REFERENCE_DATA_DIR) / "sources.csv", folder / "sources.csv")
    header = "date,precision,count,kind,agency_code,source,note\n"
    (folder / "published_counts.csv").write_text(header + "\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.mark.parametrize(
    ("published", "warns"),
    [(20, False), (21, False), (22, True), (40, True)],  # 20 known: 21 → 4.8 %, 22 → 9.1 %
)
def test_coverage_warning__over_5_percent_missing__warns(
    tmp_path: Path, published: int, warns: bool
) -> None:
    for n in range(20):
        make_office(code=f"o{n}", opened_on=D(2020, 1, 1))
    folder = _published(tmp_path, f"2024-01-01,day,{published},offices,,assumption,")
    warning = coverage_warning(day=D(2026, 1, 1), directory=folder)
    assert (warning is not None) == warns
    if warning is not None:
        assert (warning.registry, warning.published.count) == (20, published)


def test_coverage_warning__uses_the_latest_count_on_or_before_the_day(tmp_path: Path) -> None:
    for n in range(10):
        make_office(code=f"o{n}", opened_on=D(2020, 1, 1))
    folder = _published(
        tmp_path,
        "2019-01-01,day,9,offices,,assumption,",  # no office yet: 0 of 9
        "2021-01-01,day,10,offices,,assumption,",
    )
    assert coverage_warning(day=D(2022, 1, 1), directory=folder) is None
    early = coverage_warning(day=D(2019, 6, 1), directory=folder)
    assert early is not None and (early.registry, early.published.count) == (0, 9)
