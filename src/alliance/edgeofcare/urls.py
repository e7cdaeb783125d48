from django.urls import path

from alliance.edgeofcare import views

app_name = "edgeofcare"
urlpatterns = [
    path("", views.index, name="index"),
]
