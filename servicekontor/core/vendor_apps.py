"""Our configurations of third-party apps, so their names in the admin are translated.

axes and django_tasks_db name their apps with plain English strings ("Axes", "Tasks Database
Backend"), which no catalogue can translate; these subclasses keep each app's label (and so
its tables and migrations) and give it a name in the staff's language. Their models' and
fields' names are translated in our own catalogue (locale/sv), which Django merges with theirs.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]  # lazy, as Django's own
