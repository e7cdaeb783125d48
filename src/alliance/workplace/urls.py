from django.urls import path

from alliance.workplace import views

app_name = "workplace"
urlpatterns = [
    path("", views.index, name="index"),
]
