from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Area, guard


@guard(Area.WORKPLACE)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "workplace/index.html", {"title": "WorkPlace"})
