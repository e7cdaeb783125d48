from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Area, guard


@guard(Area.RETURNS)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "returns/index.html", {"title": "Statutory returns"})
