from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Area, guard


@guard(Area.PROGRAMME)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "programme/index.html", {"title": "Improvement programme"})
