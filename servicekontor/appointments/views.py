from django.http import HttpRequest, HttpResponse


def choose_service(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def manage(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse("")
