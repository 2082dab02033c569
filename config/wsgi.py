import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import the URLconf, and with it every view, now: with gunicorn --preload the workers are
# forked ready. Otherwise each fresh worker imports them on its first request; on the loaded
# machine of the peak-load run that took longer than gunicorn's 30 s timeout, so the worker
# was killed, replaced, and its successor killed again (docs/benchmarks.md, decision 0026).
get_resolver().url_patterns  # noqa: B018
# The staffing forecast's model (statsmodels' GLM): imported here, not on the first staffing
# page of each worker (0.5 CPU s, ~1.3 s on a loaded machine); with --preload once, before
# the workers fork (decision 0097).
from servicekontor.staffing.forecast import warm_up  # noqa: E402

warm_up()
