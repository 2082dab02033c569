"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi:application`.

The access log goes through `servicekontor.core.gunicorn_logging.RedactingLogger`, which
removes manage tokens, ticket keys and other URL secrets from every line (issue 13). The
push server (decision 0026) runs apart under uvicorn: `uvicorn config.push_asgi:app`.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
preload_app = True
logger_class = "servicekontor.core.gunicorn_logging.RedactingLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
