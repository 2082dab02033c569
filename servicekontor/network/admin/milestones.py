"""The admin of milestones (dated decisions that rows follow)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicekontor.core.admin_access import RegistryAdmin
from servicekontor.network.admin.impact import CapacityGuard
from servicekontor.network.models import (
    Milestone,
    Offering,
    Office,
)
from servicekontor.network.services import move_milestone, offices_following

# --- milestones ---------------------------------------------------------------------------


class MilestoneForm(forms.ModelForm[Milestone]):
    """A date change is tried in a savepoint that is rolled back, so a move that would break
    a dated rule (e.g. make two offerings overlap) becomes a form error, not a server error."""

    class Meta:
        model = Milestone
        fields = ["code", "name_sv", "name_en", "date", "precision", "source"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new_date = cleaned.get("date")
        if self.instance.pk is None or "date" not in self.changed_data or new_date is None:
            return cleaned
        try:
            with transaction.atomic():
                move_milestone(
                    milestone=Milestone.objects.get(pk=self.instance.pk),
                    new_date=new_date,
                    apply_capacity_loss=False,
                )
                transaction.set_rollback(True)
        except ValidationError as exc:
            self.add_error("date", exc)
        return cleaned


@admin.register(Milestone)
class MilestoneAdmin(CapacityGuard, RegistryAdmin):
    """A moved milestone moves every office and offering following it; what that takes from
    booked citizens is shown and confirmed first (CapacityGuard)."""

    def offices_of(self, obj: Any) -> list[Office]:
        return offices_following(obj)

    form = MilestoneForm
    list_display = ["name_sv", "name_en", "code", "date", "precision", "follower_count"]
    list_filter = ["precision", ("date", admin.DateFieldListFilter)]
    search_fields = ["code", "name_sv", "name_en", "source"]
    date_hierarchy = "date"

    @admin.display(description=_("rows following it"), ordering="followers")
    def follower_count(self, obj: Milestone) -> int:
        return obj.followers  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Milestone, form: Any, change: bool) -> None:
        if not change or "date" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        # The other fields are saved as typed; the date only through the use case, which moves
        # every office and offering that follows the milestone with it.
        new_date = obj.date
        other_fields = [name for name in form.changed_data if name != "date"]
        if other_fields:
            obj.save(update_fields=other_fields)
        moved = move_milestone(milestone=obj, new_date=new_date, apply_capacity_loss=False)
        self.message_user(
            request,
            _("Moved the milestone to %(date)s and %(count)d dated rows with it.")
            % {"date": new_date.isoformat(), "count": moved},
            messages.INFO,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                followers=_count_of(Office, "opened_with")
                + _count_of(Office, "closed_with")
                + _count_of(Offering, "starts_with")
                + _count_of(Offering, "ends_with")
            )
        )


def _count_of(model: Any, field: str) -> Coalesce:
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)
