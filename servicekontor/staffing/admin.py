from django.contrib import admin

from servicekontor.staffing.models import Shift


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("day", "office", "officer", "start", "end", "break_start", "break_minutes")
    list_filter = ("office",)
    date_hierarchy = "day"
    autocomplete_fields = ()
    raw_id_fields = ("officer",)
