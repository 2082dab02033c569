"""Registry admin screens that can take capacity away from booked citizens show what a change
affects before it is saved, and act on it when it is (`network.change_impact`).

`CapacityGuard` (a ModelAdmin mixin) runs a submitted change form inside a transaction. After
the row, its inlines and its many-to-many fields are saved (`save_related`) it asks
`change_impact.preview` what the registry as it now stands leaves without room:

- nothing: the change is saved as usual;
- something, not yet confirmed for exactly this list: the transaction is rolled back and the
  form is shown again, unsaved, with the list (when, office, what, why) and a box to tick;
- something, confirmed (the ticked box carries the list's fingerprint): the change is saved
  and `change_impact.apply` cancels the bookings and tells the citizens, in the same
  transaction.

Deleting rows (hours, an offering, a desk; one or "delete selected") is guarded the same
way: Django's delete confirmation page lists the bookings the deletion would cancel with the
rows it deletes (computed by deleting in a transaction that is rolled back), and the deletion
applies it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicekontor.core.rounding import shown
from servicekontor.network import change_impact
from servicekontor.network.models import Office

CONFIRM_FIELD = "confirm_capacity_change"
_STATE = "_capacity_guard"


class _NeedsConfirmation(Exception):
    def __init__(self, affected: list[change_impact.Affected]) -> None:
        super().__init__("registry change needs a confirmation")
        self.affected = affected


class _Rollback(Exception):
    pass


class ConfirmWidget(forms.CheckboxInput):
    """A checkbox whose value is the fingerprint of the list it confirms; ticked only when
    the submitted value confirms this very list."""

    def __init__(self, fingerprint: str) -> None:
        super().__init__(attrs={"value": fingerprint}, check_test=lambda v: v == fingerprint)

    def format_value(self, value: Any) -> None:
        return None  # the value attribute is always this list's fingerprint (attrs)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:  # type: ignore[override]
        return str(data.get(name, ""))


def affected_list_html(affected: list[change_impact.Affected]) -> str:
    rows = format_html_join(
        "",
        "<li>{} · {} · {} — {}</li>",
        (
            (
                date_format(localtime(a.starts_at), "SHORT_DATETIME_FORMAT"),
                a.office,
                a.what,
                a.reason,
            )
            for a in affected
        ),
    )
    return format_html('<ul class="capacity-impact">{}</ul>', rows)


def _confirm_form(base: type[forms.ModelForm[Any]], affected: list[change_impact.Affected]) -> Any:
    fingerprint = change_impact.fingerprint(affected)
    count = len(affected)

    class ConfirmForm(base):  # type: ignore[valid-type,misc]
        confirm_capacity_change = forms.CharField(
            label=ngettext(
                "Cancel this booking and tell the citizen (they are offered a new time)",
                "Cancel these %(count)s bookings and tell the citizens (they are offered new "
                "times)",
                count,
            )
            % {"count": shown(count)},
            required=False,
            widget=ConfirmWidget(fingerprint),
            help_text=affected_list_html(affected),
        )

        def clean(self) -> dict[str, Any]:
            cleaned = super().clean() or {}
            if cleaned.get(CONFIRM_FIELD) != fingerprint:
                raise ValidationError(
                    ngettext(
                        "This change leaves %(count)s booked appointment without a place. "
                        "Check the list at the end of the form and tick the box to save.",
                        "This change leaves %(count)s booked appointments without a place. "
                        "Check the list at the end of the form and tick the box to save.",
                        count,
                    )
                    % {"count": shown(count)}
                )
            return cleaned

    return ConfirmForm


class CapacityGuard:
    """ModelAdmin mixin: preview, confirm and apply what a change does to bookings."""

    def offices_of(self, obj: Any) -> list[Office]:
        """The offices whose capacity `obj` is part of (its `office`, or itself)."""
        if isinstance(obj, Office):
            return [obj]
        office = getattr(obj, "office", None)
        return [office] if isinstance(office, Office) else []

    # --- change and add forms ------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = super().changeform_view  # type: ignore[misc]
        if request.method != "POST":
            return view(request, object_id, form_url, extra_context)
        setattr(request, _STATE, {"confirmed": request.POST.get(CONFIRM_FIELD, "")})
        try:
            with transaction.atomic():
                return view(request, object_id, form_url, extra_context)
        except _NeedsConfirmation as needed:
            # Rolled back: show the form again, unsaved, with the list and the box to tick.
            setattr(request, _STATE, {"affected": needed.affected})
            return view(request, object_id, form_url, extra_context)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        state = getattr(request, _STATE, None)
        if state is None or "confirmed" not in state:
            return
        offices = self.offices_of(form.instance)
        affected = change_impact.preview(offices)
        if not affected:
            return
        if change_impact.fingerprint(affected) != state["confirmed"]:
            raise _NeedsConfirmation(affected)
        done = change_impact.apply(offices)
        _tell(request, done)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        affected = (getattr(request, _STATE, None) or {}).get("affected")
        if affected:
            kwargs["form"] = _confirm_form(kwargs.get("form") or self.form, affected)  # type: ignore[attr-defined]
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if (getattr(request, _STATE, None) or {}).get("affected"):
            named = {f for _name, opts in fieldsets for f in _flatten(opts.get("fields", ()))}
            if CONFIRM_FIELD not in named:
                fieldsets = [
                    *fieldsets,
                    (_("Booked appointments affected"), {"fields": [CONFIRM_FIELD]}),
                ]
        return fieldsets

    # --- deletions ------------------------------------------------------------------------

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Django's delete confirmation (one row, or "delete selected") lists what goes; the
        bookings the deletion would cancel are listed with it (computed by deleting in a
        transaction that is rolled back)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        affected = _preview_deletion(self, list(objs))
        if affected:
            label = str(_("Booked appointments cancelled (the citizens are told)"))
            deleted = [*deleted, label, [_describe(a) for a in affected]]
            counts = {**counts, label: len(affected)}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        offices = self.offices_of(obj)
        with transaction.atomic():
            super().delete_model(request, obj)  # type: ignore[misc]
            _tell(request, change_impact.apply(offices))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        offices = {o.pk: o for obj in queryset for o in self.offices_of(obj)}
        with transaction.atomic():
            super().delete_queryset(request, queryset)  # type: ignore[misc]
            _tell(request, change_impact.apply(list(offices.values())))


def _flatten(fields: Any) -> list[str]:
    out: list[str] = []
    for f in fields:
        out.extend(f if isinstance(f, (list, tuple)) else [f])
    return out


def _describe(a: change_impact.Affected) -> str:
    when = date_format(localtime(a.starts_at), "SHORT_DATETIME_FORMAT")
    return f"{when} · {a.office} · {a.what} — {a.reason}"


def _preview_deletion(guard: CapacityGuard, objs: list[Model]) -> list[change_impact.Affected]:
    offices = {o.pk: o for obj in objs for o in guard.offices_of(obj)}
    found: list[change_impact.Affected] = []
    if not objs or not offices:
        return found
    try:
        with transaction.atomic():
            for obj in objs:
                type(obj)._default_manager.filter(pk=obj.pk).delete()
            found = change_impact.preview(list(offices.values()))
            raise _Rollback
    except (_Rollback, DatabaseError):
        pass  # a protected or refused deletion affects nothing: it will not happen
    return found


def _tell(request: HttpRequest, done: list[change_impact.Affected]) -> None:
    if done:
        messages.warning(
            request,
            ngettext(
                "%(count)s booking was cancelled; the citizen is told and offered a new time.",
                "%(count)s bookings were cancelled; the citizens are told and offered new times.",
                len(done),
            )
            % {"count": shown(len(done))},
        )


__all__ = ["CONFIRM_FIELD", "CapacityGuard", "admin"]
