from django.urls import path

from alliance.schedule import views

app_name = "schedule"
urlpatterns = [
    path("", views.jobs, name="jobs"),
]
