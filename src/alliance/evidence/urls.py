from django.urls import path

from alliance.evidence import views

app_name = "insight"

urlpatterns = [
    path("", views.improvement, name="improvement"),
    path("measures-before-improvement/", views.measures, name="measures"),
]
