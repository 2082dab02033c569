"""The serving lanes (decisions 0031 and 0045): which requests are screens refreshing a
fragment, which are citizens on the public booking site, and which are actions at an office.

A proxy in front of three gunicorn pools sends the requests these patterns match to the
screens' pool (run at the lowest CPU priority) and to the public site's pool (a lower one),
and everything else to the actions' pool, e.g. for nginx a `map` on "$request_method $uri";
see deploy/nginx-lanes.conf. The application itself does not use them: one pool serving every
lane behaves the same.
"""

import re

# GET only: the desk's waiting list and own-visit panel, the manager's live view and the
# lobby board (the URL names desk:panel, desk:current, desk:live_panel, lobby:board)
SCREEN_PATH = r"^/(desk/[\w-]+/(panel|current|live/panel)|display/[\w-]+/board)/$"

# Any method: the citizens' own pages, away from any office: the office finder and an
# office's page, the online booking (services, offices, free times, contact form) and a
# booking's manage pages (appointments:services/offices/times/contact/manage/cancel/
# reschedule/calendar, public:finder/office/stop_calendar). The kiosk's check-in and the
# desk's booking pages under /book/ are actions at an office and stay in the actions' lane.
PUBLIC_PATH = r"^/(book/((service|manage)/.*)?|office/[\w-]+/.*)?$"

SCREENS, PUBLIC, ACTIONS = "screens", "public", "actions"


def is_screen_request(method: str, path: str) -> bool:
    """Whether a request belongs to the screens' lane: a GET (or HEAD) of a fragment path."""
    return method in {"GET", "HEAD"} and re.match(SCREEN_PATH, path) is not None


def lane(method: str, path: str) -> str:
    """The lane of a request: SCREENS, PUBLIC or ACTIONS (``path`` without the query)."""
    if is_screen_request(method, path):
        return SCREENS
    if re.match(PUBLIC_PATH, path) is not None:
        return PUBLIC
    return ACTIONS
