"""A later load updates what it loaded and nobody edited; edited rows are kept and listed."""

import csv
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from servicekontor.network.models import Milestone, Office, ReferenceRecord, ServicePoint
from servicekontor.network.reference_data import (
    counters_state,
    load_reference_data,
    office_state,
)
from servicekontor.network.reference_sync import LEGACY_FILE, fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the reference data that a test may correct."""
    copy = tmp_path / "reference_data"
    shutil.copytree(settings.REFERENCE_DATA_DIR, copy)
    return copy


def _correct_office(directory: Path, code: str, **changes: str) -> None:
    path = directory / "offices.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["code"] == code:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fields or []), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_load__correction__reaches_a_row_nobody_edited(data: Path) -> None:
    load_reference_data(data)
    _correct_office(data, "kiruna", street_address="Stadshuset", notes="Corrected.")
    report = load_reference_data(data)
    kiruna = Office.objects.get(code="kiruna")
    assert (kiruna.street_address, kiruna.notes) == ("Stadshuset", "Corrected.")
    assert report.updated == {"office": ["kiruna"]} and report.kept == {}


def test_load__row_edited_by_an_administrator__kept_and_listed(data: Path) -> None:
    load_reference_data(data)
    Office.objects.filter(code="kiruna").update(notes="Checked on site by the administrator.")
    _correct_office(data, "kiruna", street_address="Stadshuset")
    _correct_office(data, "lulea", street_address="Storgatan 1")
    report = load_reference_data(data)
    assert Office.objects.get(code="kiruna").notes == "Checked on site by the administrator."
    assert Office.objects.get(code="kiruna").street_address == ""
    assert Office.objects.get(code="lulea").street_address == "Storgatan 1"
    assert report.kept == {"office": ["kiruna"]}
    assert "kept (edited since loaded) office: kiruna" in str(report)
    # Still kept (and listed) on every later load: the edit is not overwritten.
    assert load_reference_data(data).kept == {"office": ["kiruna"]}


def test_load__edited_counters__kept_while_other_offices_follow_the_size_class(data: Path) -> None:
    load_reference_data(data)
    ServicePoint.objects.filter(office__code="kista", number=3).update(name="Reception")
    assert load_reference_data(data).kept == {"counters": ["kista"]}
    assert ServicePoint.objects.get(office__code="kista", number=3).name == "Reception"
    _correct_office(data, "kista", size="L")
    _correct_office(data, "kiruna", size="M")
    report = load_reference_data(data)
    assert report.kept == {"counters": ["kista"]}
    assert ServicePoint.objects.filter(office__code="kista", is_active=True).count() == 12
    assert ServicePoint.objects.filter(office__code="kiruna", is_active=True).count() == 5


def test_load__fewer_counters_in_the_class__extra_ones_switched_off_not_deleted(data: Path) -> None:
    load_reference_data(data)
    _correct_office(data, "kiruna", size="XS")
    load_reference_data(data)
    kiruna = Office.objects.get(code="kiruna")
    assert counters_state(kiruna) == [
        [1, "", True, ["id-photo"]],
        [2, "", True, []],
        [3, "", False, []],
    ]


def test_load__installation_loaded_before_provenance__unedited_updated_edited_kept(
    data: Path,
) -> None:
    load_reference_data(data)
    # Such an installation has no records; the legacy file knows what the old loader wrote.
    legacy = [
        ("office", o.code, fingerprint(office_state(o)))
        for o in Office.objects.filter(code__in=["kiruna", "lulea"])
    ]
    ReferenceRecord.objects.all().delete()
    with (data / LEGACY_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["kind", "key", "fingerprint"])
        writer.writerows(legacy)
    Office.objects.filter(code="lulea").update(street_address="Edited by hand")
    _correct_office(data, "kiruna", notes="Corrected.")
    _correct_office(data, "lulea", notes="Corrected.")
    report = load_reference_data(data)
    assert Office.objects.get(code="kiruna").notes == "Corrected."
    assert Office.objects.get(code="lulea").street_address == "Edited by hand"
    assert report.updated["office"] == ["kiruna"] and report.kept["office"] == ["lulea"]


def test_load__shipped_legacy_file__covers_every_office_the_old_loader_knew() -> None:
    with (Path(settings.REFERENCE_DATA_DIR) / LEGACY_FILE).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    offices = {r["key"] for r in rows if r["kind"] == "office"}
    assert len(offices) == 71
    assert {r["kind"] for r in rows} == {
        "agency",
        "milestone",
        "office",
        "counters",
        "hours",
        "offerings",
    }


def test_load__milestone_corrected__unedited_row_updated(data: Path) -> None:
    load_reference_data(data)
    decision = Milestone.objects.get(code="closures-2025")
    assert decision.date.isoformat() == "2025-04-10" and decision.precision == "day"


def _drop_english_milestone_names(directory: Path) -> None:
    """The milestones file as it was before milestones had English names."""
    path = directory / "milestones.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["name_en"] = ""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_load__english_milestone_names__reach_rows_loaded_before_them(
    data: Path, tmp_path: Path
) -> None:
    before = tmp_path / "before"
    shutil.copytree(data, before)
    _drop_english_milestone_names(before)
    load_reference_data(before)
    assert Milestone.objects.get(code="takeover-2019").name_en == ""
    Milestone.objects.filter(code="expansion-2022").update(name_sv="Utbyggnad, fas 1")

    report = load_reference_data(data)

    takeover = Milestone.objects.get(code="takeover-2019")
    assert takeover.name_en == "The Government Service Center takes over the service offices"
    assert "takeover-2019" in report.updated["milestone"]
    # An administrator's edit is kept, English name and all, and listed.
    assert Milestone.objects.get(code="expansion-2022").name_en == ""
    assert report.kept["milestone"] == ["expansion-2022"]


def test_shipped_milestones__all_named_in_english() -> None:
    with (Path(settings.REFERENCE_DATA_DIR) / "milestones.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(row["name_sv"] and row["name_en"] for row in rows)


def _video_room(office_code: str, number: int) -> ServicePoint:
    """A video room set up at the office as the demo does (numbered after the desks)."""
    from servicekontor.catalog.models import Agency, Capability, Service

    room_kind, _ = Capability.objects.get_or_create(
        code="video-room", defaults={"name_sv": "Videorum", "name_en": "Video room"}
    )
    Service.objects.get_or_create(
        agency=Agency.objects.get(code="migrationsverket"),
        code="videomote",
        defaults={
            "name_sv": "Videomöte",
            "name_en": "Video meeting",
            "mode": "appointment_only",
            "handling_minutes": 30,
            "required_capability": room_kind,
            "video_meeting": True,
        },
    )
    room = ServicePoint.objects.create(
        office=Office.objects.get(code=office_code), number=number, name="Videorum"
    )
    room.capabilities.add(room_kind)
    return room


def _room_as_it_was(room: ServicePoint) -> None:
    room.refresh_from_db()
    assert room.is_active and room.name == "Videorum"
    assert list(room.capabilities.values_list("code", flat=True)) == ["video-room"]
    assert ServicePoint.objects.filter(pk=room.pk).video_rooms().exists()


def test_load__a_video_room_is_not_a_desk__left_alone_and_no_edit(data: Path) -> None:
    """A video room after the desks (decision 0084) is neither an edit of the office's desks
    (which kept every later correction from reaching them) nor a desk to switch off when the
    size class has fewer: the desks follow the class, the room stays as it was."""
    load_reference_data(data)
    room = _video_room("kista", 13)
    assert load_reference_data(data).kept == {}, "a room is no edit of the desks"
    _room_as_it_was(room)
    _correct_office(data, "kista", size="L")
    report = load_reference_data(data)
    assert report.kept == {} and report.updated.get("counters") == ["kista"]
    kista = Office.objects.get(code="kista")
    assert kista.service_points.desks().filter(is_active=True).count() == 8
    _room_as_it_was(room)


def test_load__more_desks_in_the_class__numbered_past_the_video_room(data: Path) -> None:
    load_reference_data(data)
    room = _video_room("kiruna", 4)  # after kiruna's 3 desks (size S)
    _correct_office(data, "kiruna", size="M")
    load_reference_data(data)
    kiruna = Office.objects.get(code="kiruna")
    assert counters_state(kiruna) == [
        [1, "", True, ["id-photo"]],
        [2, "", True, []],
        [3, "", True, []],
        [5, "", True, []],
        [6, "", True, []],
    ]
    _room_as_it_was(room)
