"""The one refusal page of the staff's screens (403): "Not allowed", why (when the view
says), whom to ask (by role), and the way on: the staff start page for a signed-in user, the
sign-in for anyone else. Every staff view refuses through here: `refused` for a view that
answers itself, `permission_denied` (the project's handler403) for a raised PermissionDenied.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from servicekontor.core.client_errors import log_client_error


def refused(request: HttpRequest, message: object = "") -> HttpResponse:
    return render(request, "403.html", {"message": str(message)}, status=403)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the reason a view gave in its PermissionDenied, if any; logged as one line
    (`core.client_errors`)."""
    args = getattr(exception, "args", ())
    response = refused(request, args[0] if args and isinstance(args[0], str) else "")
    log_client_error(request, response, exception)  # one line, no traceback
    return response
