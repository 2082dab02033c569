from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def finder(request: HttpRequest) -> HttpResponse:
    return render(request, "public/finder.html")
