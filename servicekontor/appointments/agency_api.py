"""The agency's side of video meetings, for its API clients (`accounts.api_clients`):

- `PUT  /api/partner/caseworkers/<external_id>/availability/` publishes a caseworker's free
  periods (the whole future from now: what was published through the API before is replaced;
  meetings already booked stay) and creates or updates the caseworker;
- `GET  /api/partner/video-meetings/?from=&to=` lists the agency's meetings, booked and
  cancelled (who cancelled), each with the caseworker's meeting link; a booking the citizen
  moved shows its old meeting cancelled (`moved_to` the new one) and the new one booked;
- `POST /api/partner/video-meetings/<id>/cancel/` cancels one (the caseworker cannot meet):
  the citizen is told and offered a new time.

Every query is scoped to the client's agency; another agency's meeting is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from servicekontor.accounts.partner_api import PartnerApiView, partner_agency_id
from servicekontor.appointments import errors, services, video_links
from servicekontor.appointments.models import AvailabilitySource, Caseworker, VideoMeeting
from servicekontor.core import clock
from servicekontor.core.api_params import date_param
from servicekontor.core.params import validate_instant_range

MAX_PERIODS = 2000


class _Conflict(serializers.ValidationError):
    status_code = 409


class PeriodSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField(validators=[validate_instant_range])
    ends_at = serializers.DateTimeField(validators=[validate_instant_range])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError(_("ends_at must be after starts_at."))
        if attrs["ends_at"] - attrs["starts_at"] > dt.timedelta(hours=24):
            raise serializers.ValidationError(_("A free period is at most 24 hours long."))
        return attrs


class AvailabilitySerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=120)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    periods = serializers.ListField(child=PeriodSerializer(), max_length=MAX_PERIODS)


def _flat_errors(errors: Any) -> dict[str, list[str]]:
    """The serializer's errors as the API's documented 400 body, field → messages: a
    period's errors become "periods": ["2: starts_at: …"] (items counted from 1; a check of
    the whole period without the field's name: "2: ends_at must be after starts_at.").

    DRF gives a list field's item errors as {index from 0: {field: [texts]}}; they were read
    as one item named by its index, and the texts lost ("1: 0: non_field_errors")."""
    flat: dict[str, list[str]] = {}
    for field, value in errors.items():
        messages: list[str] = []
        if isinstance(value, dict):  # {index: the item's errors}
            for index, item in sorted(value.items()):
                item = item if isinstance(item, dict) else {"non_field_errors": item}
                for name, texts in item.items():
                    part = "" if name == "non_field_errors" else f"{name}: "
                    messages.extend(f"{index + 1}: {part}{text}" for text in texts)
        else:
            messages.extend(str(text) for text in value)
        flat[field] = messages
    return flat


class AvailabilityView(PartnerApiView):
    @extend_schema(
        summary="Publish a caseworker's free periods for video meetings",
        request=AvailabilitySerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def put(self, request: Request, external_id: str) -> Response:
        if not 0 < len(external_id) <= 120:
            raise ValidationError({"external_id": [_("1–120 characters.")]})
        data = AvailabilitySerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError(_flat_errors(data.errors))
        values = data.validated_data
        with transaction.atomic():
            count = self._publish(request, external_id, values)
        return Response({"caseworker": external_id, "periods": count})

    def _publish(self, request: Request, external_id: str, values: dict[str, Any]) -> int:
        caseworker, _created = Caseworker.objects.update_or_create(
            agency_id=partner_agency_id(request),
            external_id=external_id,
            defaults={
                "display_name": values["display_name"],
                "email": values.get("email", ""),
                "is_active": True,
            },
        )
        return services.replace_caseworker_availability(
            caseworker=caseworker,
            periods=[(p["starts_at"], p["ends_at"]) for p in values["periods"]],
            source=AvailabilitySource.API,
        )


class MeetingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    booking_code = serializers.CharField()
    caseworker = serializers.CharField(help_text="The agency's id of the caseworker.")
    service = serializers.CharField(help_text="The service's code.")
    office = serializers.DictField(child=serializers.CharField())
    room = serializers.IntegerField(help_text="The video room's number at the office.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["booked", "cancelled", "held"])
    cancelled_by = serializers.CharField(allow_blank=True)
    moved_to = serializers.IntegerField(
        allow_null=True,
        help_text="When the citizen moved the booking: the id of the meeting at the new time "
        "(this one is then cancelled, by the citizen).",
    )
    caseworker_link = serializers.CharField(
        allow_null=True, help_text="Where the caseworker joins; only while booked."
    )


def meeting_data(meeting: VideoMeeting) -> dict[str, Any]:
    booking = meeting.booking
    link = None
    if meeting.active:
        link = video_links.provider().link(
            room_name=meeting.room_name,
            side="caseworker",
            display_name=meeting.caseworker.display_name,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
        )
    if not meeting.active:
        status = "cancelled"
    elif booking.checked_in_at is not None:
        status = "held"
    else:
        status = "booked"
    return {
        "id": meeting.pk,
        "booking_code": booking.code,
        "caseworker": meeting.caseworker.external_id,
        "service": booking.service.code,
        "office": {
            "code": booking.office.code,
            "name": booking.office.name,
            "kind": booking.office.kind,
        },
        "room": meeting.room.number,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "status": status,
        "cancelled_by": meeting.cancelled_by,
        "moved_to": meeting.moved_to_id,
        "caseworker_link": link,
    }


def _meetings(agency_id: int) -> QuerySet[VideoMeeting]:
    return VideoMeeting.objects.filter(caseworker__agency_id=agency_id).select_related(
        "caseworker", "room", "booking", "booking__office", "booking__service"
    )


class MeetingListView(PartnerApiView, ListAPIView[VideoMeeting]):
    serializer_class = MeetingSerializer

    @extend_schema(
        summary="The agency's video meetings",
        description="Booked and cancelled, by start; `from`/`to` are local days (default: "
        "today and the next 56 days).",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[VideoMeeting]:
        today = clock.local_today()
        first = date_param(self.request.query_params, "from") or today
        last = date_param(self.request.query_params, "to") or today + dt.timedelta(days=56)
        if last < first:
            raise ValidationError({"to": [_("The last day is before the first.")]})
        return (
            _meetings(partner_agency_id(self.request))
            .filter(booking__day__gte=first, booking__day__lte=last)
            .order_by("starts_at", "pk")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [meeting_data(m) for m in (page if page is not None else self.get_queryset())]
        if page is not None:
            return self.get_paginated_response(rows)
        return Response(rows)


class MeetingCancelView(PartnerApiView):
    @extend_schema(
        summary="Cancel a video meeting (the caseworker cannot meet)",
        request=None,
        responses={200: MeetingSerializer},
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = _meetings(partner_agency_id(request)).filter(pk=meeting_id).first()
        if meeting is None:
            raise NotFound()
        try:
            services.cancel_video_meeting_by_agency(
                meeting=meeting, agency_id=partner_agency_id(request)
            )
        except errors.NotYourMeeting:
            raise NotFound() from None
        except errors.BookingError as exc:
            raise _Conflict({"detail": [str(exc.message)]}) from None
        meeting.refresh_from_db()
        return Response(meeting_data(meeting))
