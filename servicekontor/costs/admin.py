"""Admin for cost pools (entered or imported), hourly costs, staff hours, and the read-only
settlements and corrections.

Pools of a settled month are read-only here: the month is frozen, a change goes through a
correction (the costs pages). Saving a pool takes the ledger lock (`services.lock_open_month`)
inside the admin's transaction, so a month cannot be settled while its pools are being saved.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from servicekontor.core.admin_access import RegistryAdmin, RegistryTabularInline
from servicekontor.core.archives import UnsafeArchive, check_zip
from servicekontor.core.errors import DomainError
from servicekontor.costs import pool_import, services
from servicekontor.costs.models import (
    Correction,
    CostPool,
    HourlyRate,
    PoolOfficeShare,
    PoolShare,
    Settlement,
    StaffHours,
)


def _settled(obj: Any) -> bool:
    return obj is not None and Settlement.objects.filter(month=obj.month).exists()


class PoolShareInline(RegistryTabularInline):
    model = PoolShare
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _settled(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _settled(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _settled(obj) and super().has_delete_permission(request, obj)


class PoolOfficeShareInline(PoolShareInline):
    model = PoolOfficeShare  # type: ignore[assignment]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: month, office, category, name, amount_sek, driver, mix, "
            "fixed_shares, office_driver, office_shares, note."
        ),
    )

    def clean_file(self) -> Any:
        """At most `pool_import.MAX_FILE_BYTES`; an .xlsx (a zip archive) within the limits of
        `core.archives.check_zip`, checked before anything unpacks it."""
        upload = self.cleaned_data["file"]
        if upload.size is None or upload.size > pool_import.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Choose a file of at most %(mb)s MB.")
                % {"mb": pool_import.MAX_FILE_BYTES // (1024 * 1024)}
            )
        if upload.name.lower().endswith(".xlsx"):
            data = upload.read()
            upload.seek(0)
            try:
                check_zip(data)
            except UnsafeArchive as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload


@admin.register(CostPool)
class CostPoolAdmin(RegistryAdmin):
    list_display = ("month", "office", "category", "name", "amount_kr", "driver", "source")
    list_filter = ("month", "category", "driver", "source")
    search_fields = ("name", "office__name", "office__code")
    autocomplete_fields = ("office",)
    inlines = (PoolShareInline, PoolOfficeShareInline)
    change_list_template = "admin/costs/costpool/change_list.html"

    @admin.display(description=_("amount (kr)"), ordering="amount_ore")
    def amount_kr(self, obj: CostPool) -> str:
        # In the admin's language, as the rest of its figures (sv 1 234,50; en 1,234.50).
        return number_format(Decimal(obj.amount_ore) / 100, 2, use_l10n=True, force_grouping=True)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _settled(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _settled(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: CostPool, form: Any, change: bool) -> None:
        # The admin's changeform runs in a transaction; the lock lasts until it commits.
        services.lock_open_month(month=obj.month)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: CostPool) -> None:
        with transaction.atomic():
            services.lock_open_month(month=obj.month)
            super().delete_model(request, obj)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="costs_costpool_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[pool_import.RowError] = []
        status = 200
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = pool_import.import_pools(data=upload.read(), filename=upload.name)
            except pool_import.ImportFailed as exc:
                errors, status = exc.errors, 400
            except DomainError as exc:
                errors, status = (
                    [pool_import.RowError(0, "month", str(exc.message))],
                    exc.http_status,
                )
            else:
                messages.success(
                    request,
                    _("Imported: %(created)s new pools, %(updated)s replaced.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("admin:costs_costpool_changelist")
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import cost pools"),
            "form": form,
            "errors": errors,
            "columns": pool_import.COLUMNS,
        }
        return TemplateResponse(request, "admin/costs/costpool/import.html", context, status=status)


@admin.register(HourlyRate)
class HourlyRateAdmin(RegistryAdmin):
    list_display = ("role", "valid_from", "ore_per_hour", "note")


@admin.register(StaffHours)
class StaffHoursAdmin(RegistryAdmin):
    list_display = ("month", "office", "role", "hours")
    list_filter = ("month", "role")
    autocomplete_fields = ("office",)


class ReadOnlyAdmin(RegistryAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ("month", "settled_at", "settled_by", "pools_ore", "adjustments_ore")


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ("month", "booked_into", "created_at", "created_by", "total_ore", "reason")
