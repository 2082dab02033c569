"""The roster from CSV: all rows written, or none with the errors per line."""

import datetime as dt
import io

import pytest

from servicekontor.staffing import services
from servicekontor.staffing.models import Shift

pytestmark = pytest.mark.django_db

HEADER = "office,officer,day,start,end,break_start,break_minutes\n"


def test_import_roster__good_file__all_written(world):
    code = world.office.code
    text = (
        "\ufeff" + HEADER + f"{code},alice,2026-12-07,09:30,16:30,12:00,30\n"
        f"{code},bob,2026-12-07,10:00,14:00,,\n"
    )
    assert services.import_roster(text=text) == 2
    alice = Shift.objects.get(officer=world.alice)
    assert alice.paid_minutes == 390
    assert alice.at_work(11 * 60) and not alice.at_work(12 * 60 + 10)


def test_import_roster__swedish_excel_file__semicolons_read(world):
    # Swedish Excel saves "CSV UTF-8" with its list separator `;` (what our Swedish exports
    # write): the same roster reads the same.
    code = world.office.code
    text = "\ufeff" + HEADER.replace(",", ";") + f"{code};alice;2026-12-07;09:30;16:30;12:00;30\r\n"
    assert services.import_roster(text=text) == 1
    assert Shift.objects.get(officer=world.alice).paid_minutes == 390


def test_import_roster__bad_rows__nothing_written_errors_per_line(world):
    code = world.office.code
    text = HEADER + (
        f"{code},alice,2026-12-07,09:30,16:30,12:00,30\n"
        f"nowhere,alice,2026-12-08,09:30,16:30,,\n"
        f"{code},alice,2026-12-09,16:30,09:30,,\n"
        f"{code},alice,2026-12-07,15:00,17:00,,\n"
        f"{code},nobody,2026-12-07,09:00,12:00,,\n"
        f"{code},alice,7 Dec,09:00,12:00,,\n"
        f"{code},alice,2026-12-10,09:00,12:00,13:00,30\n"
    )
    with pytest.raises(services.RosterRejected) as caught:
        services.import_roster(text=text)
    assert [e.line for e in caught.value.errors] == [3, 4, 5, 6, 7, 8]
    assert not Shift.objects.exists()


def test_import_roster__clash_with_roster__rejected_unless_replace(world):
    code = world.office.code
    services.import_roster(text=HEADER + f"{code},alice,2026-12-07,09:30,12:00,,\n")
    again = HEADER + f"{code},alice,2026-12-07,10:00,15:00,,\n"
    with pytest.raises(services.RosterRejected):
        services.import_roster(text=again)
    assert services.import_roster(text=again, replace=True) == 1
    assert Shift.objects.get().start == dt.time(10, 0)


def test_import_roster__officer_not_at_office__rejected(world):
    text = HEADER + f"{world.other_office.code},alice,2026-12-07,09:30,12:00,,\n"
    with pytest.raises(services.RosterRejected) as caught:
        services.import_roster(text=text)
    assert caught.value.errors[0].line == 2


def test_import_roster__no_header__rejected(world):
    with pytest.raises(services.RosterRejected):
        services.import_roster(text=f"{world.office.code},alice,2026-12-07,09:30,12:00\n")


def test_import_roster_command__errors_per_line_and_nothing_written(world, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "roster.csv"
    path.write_text(HEADER + f"{world.office.code},alice,2026-12-07,16:00,09:00,,\n", "utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("staffing", "import-roster", str(path), stderr=err)
    assert "line 2:" in err.getvalue()
    path.write_text("\ufeff" + HEADER + f"{world.office.code},alice,2026-12-07,09:00,16:00,,\n")
    out = io.StringIO()
    call_command("staffing", "import-roster", str(path), stdout=out)
    assert "1 shifts imported" in out.getvalue()
    assert Shift.objects.count() == 1


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("roster.csv", text.encode("utf-8"), content_type="text/csv")


def test_roster_upload__manager__imported_and_shown(client, history, people):
    from django.urls import reverse

    from servicekontor.staffing.tests.conftest import WEEK

    client.force_login(people.manager)
    url = reverse("staffing:office_roster", args=[history.office.code]) + f"?week={WEEK}"
    text = HEADER + f"{history.office.code},alice,2026-12-07,09:30,16:30,12:00,30\n"
    response = client.post(url, {"roster": _upload(text)})
    # post/redirect/get: back to the office's page for the same week, the count shown once
    assert response.status_code == 303
    office_url = reverse("staffing:office", args=[history.office.code]) + f"?week={WEEK}"
    assert response["Location"] == office_url
    assert Shift.objects.count() == 1
    page = client.get(office_url).content.decode()
    assert "1 shift imported." in page or "1 arbetspass importerades." in page
    # a GET of the upload URL (back/forward) leads to the same page, not a blank 405
    by_get = client.get(url)
    assert by_get.status_code == 303 and by_get["Location"] == office_url
    # the plan now counts alice on the roster at 10-11 on Monday
    from servicekontor.staffing import queries
    from servicekontor.staffing.tests.conftest import MONDAY

    plan = queries.week_plan(office=history.office, monday=MONDAY, simulate=False)
    monday = {r.hour: r.roster for r in plan.rows if r.day == MONDAY}
    # 12:00–12:30 on break: half the hour (walk F27)
    assert monday[10] == 1 and monday[12] == 0.5 and monday[13] == 1


def test_roster_upload__other_office_row__400_nothing_written(client, history, people):
    from django.urls import reverse

    client.force_login(people.manager)
    url = reverse("staffing:office_roster", args=[history.office.code])
    text = HEADER + f"{history.other_office.code},charlie,2026-12-07,09:30,12:00,,\n"
    response = client.post(url, {"roster": _upload(text)})
    assert response.status_code == 400
    assert "2" in response.content.decode()
    assert not Shift.objects.exists()


def test_roster_upload__not_the_manager__403(client, history, people):
    from django.urls import reverse

    client.force_login(people.tax_analyst)
    url = reverse("staffing:office_roster", args=[history.office.code])
    text = HEADER + f"{history.office.code},alice,2026-12-07,09:30,12:00,,\n"
    assert client.post(url, {"roster": _upload(text)}).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert not Shift.objects.exists()


def test_roster_upload__no_file__400(client, history, people):
    from django.urls import reverse

    client.force_login(people.manager)
    url = reverse("staffing:office_roster", args=[history.office.code])
    assert client.post(url, {}).status_code == 400
