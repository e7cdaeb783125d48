from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import public
from alliance.organisations.models import Council


@public
def index(request: HttpRequest) -> HttpResponse:
    councils = Council.objects.select_related("region").order_by("name")
    return render(
        request, "nationalpicture/index.html", {"title": "National picture", "councils": councils}
    )


@public
def about_data(request: HttpRequest) -> HttpResponse:
    return render(request, "nationalpicture/about_data.html", {"title": "About the data"})
