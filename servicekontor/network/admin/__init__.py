"""Admin for the office network: offices, desks, dated offerings, opening hours, milestones.

Offering history is kept as rows, so the admin shows ended offerings too and filters them by
the day they were valid. Overlapping offerings give a form error here (the model's `clean` and
the inline formset's check) before the database constraint would refuse them.

Split by screen: `filters` (list filters), `offerings`, `offices` (with service points),
`hours` (opening hours and exceptions), `milestones`. Importing them registers the admins.
"""

from servicekontor.network.admin import filters, hours, milestones, offerings, offices

__all__ = ["filters", "hours", "milestones", "offerings", "offices"]
