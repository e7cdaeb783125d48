from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Area, guard


@guard(Area.EDGE_OF_CARE)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "edgeofcare/index.html", {"title": "Edge of Care"})
