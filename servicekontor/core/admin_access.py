"""Who may use the Django admin for the registry: network administrators (and superusers).

Network administrators run the registry, so they get full access to the registry models in the
admin by their role, without per-model Django permissions to keep in sync. Other staff keep
whatever Django permissions they were given. Entering the admin still needs `is_staff`.

This sits in `core` because `catalog` and `network` may not import `accounts` (see
docs/architecture.md); it reads the role from the user row by value, and a test in
accounts/tests checks that it agrees with `accounts.permissions.is_network_admin`.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext

NETWORK_ADMIN_ROLE = "network_admin"  # accounts.models.Role.NETWORK_ADMIN


def may_administer_registry(user: Any) -> bool:
    """Staff who are network administrators (or superusers)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or getattr(user, "role", None) == NETWORK_ADMIN_ROLE)


def _is_network_admin(request: HttpRequest) -> bool:
    return may_administer_registry(request.user)


# The longest free text an admin form takes in a field the model leaves unbounded (a
# TextField): longer than any note or description seen, far short of the 10 MB a pasted file
# gave (walk finding, 2026-11-30). A longer text is refused with the field's error.
ADMIN_TEXT_MAX = 10_000


class CappedTextAdmin:
    """Mixin for any ModelAdmin or inline: every unbounded TextField gets ADMIN_TEXT_MAX
    characters at most (the form's error and the textarea's maxlength)."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.TextField) and not db_field.max_length:
            kwargs.setdefault("max_length", ADMIN_TEXT_MAX)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class NetworkAdminAccess(CappedTextAdmin):
    """Mixin for ModelAdmin and InlineModelAdmin classes of the registry."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_network_admin(request) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_network_admin(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_network_admin(request) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_network_admin(request) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_network_admin(request) or super().has_delete_permission(request, obj)  # type: ignore[misc]


class RegistryAdmin(NetworkAdminAccess, admin.ModelAdmin):
    pass


def label_row_fields(form: forms.BaseForm, *, row: str) -> None:
    """Name every visible field of one row of a tabular inline: its column heading is no
    `<label>`, so without this a screen reader (and axe's "label" rule) finds dozens of
    unnamed inputs and selects on the office page. The name is "<field label> (<row>)"."""
    for field in form.fields.values():
        # The widget itself, inside admin's RelatedFieldWidgetWrapper when there is one.
        widget: forms.Widget = getattr(field.widget, "widget", None) or field.widget
        if widget.is_hidden:
            continue
        widget.attrs["aria-label"] = f"{capfirst(str(field.label or ''))} ({row})"


class RegistryTabularInline(NetworkAdminAccess, admin.TabularInline):
    """A tabular inline whose fields carry their names (`label_row_fields`)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        title = capfirst(str(self.verbose_name))

        class LabelledFormSet(formset):  # type: ignore[misc,valid-type]
            def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
                super().add_fields(form, index)
                row = gettext("new row") if index is None else f"{title} {index + 1}"
                label_row_fields(form, row=row)

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
