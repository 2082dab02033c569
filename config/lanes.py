"""The two serving lanes (decision 0031): which requests are screens refreshing a fragment.

A proxy in front of two gunicorn pools sends the requests this pattern matches to the
screens' pool (run at a lower CPU priority) and everything else to the actions' pool, e.g.
for nginx: ``location ~ <SCREEN_PATH> { if ($request_method = GET) ... }``; see
deploy/nginx-lanes.conf. The application itself does not use it: one pool serving both lanes
behaves the same.
"""

import re

# GET only: the desk's waiting list and own-visit panel, the manager's live view and the
# lobby board (the URL names desk:panel, desk:current, desk:live_panel, lobby:board)
SCREEN_PATH = r"^/(desk/[\w-]+/(panel|current|live/panel)|display/[\w-]+/board)/$"


def is_screen_request(method: str, path: str) -> bool:
    """Whether a request belongs to the screens' lane: a GET (or HEAD) of a fragment path."""
    return method in {"GET", "HEAD"} and re.match(SCREEN_PATH, path) is not None
