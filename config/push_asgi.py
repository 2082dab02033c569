"""The push server's ASGI entry point (decision 0026; `servicekontor.queueing.push_server`).

    uvicorn config.push_asgi:app --host 127.0.0.1 --port 8001 [--workers 2]

Reads the Django settings (SECRET_KEY for the stream tokens, PUSH_REDIS_URL,
PUSH_CHANNEL_PREFIX, PUSH_APP_URL: where it asks the app for the fragments it sends, decision
0062) without setting up the apps: it touches no database. Its access log goes
through the same redaction as the app's (the stream token is in the query string).
"""

import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

from servicekontor.core.log_filters import RedactSecretsFilter
from servicekontor.queueing.push_server import make_app

logging.getLogger("uvicorn.access").addFilter(RedactSecretsFilter())
app = make_app(
    redis_url=settings.PUSH_REDIS_URL,
    prefix=settings.PUSH_CHANNEL_PREFIX,
    app_url=settings.PUSH_APP_URL,
)
