from django.urls import path

from alliance.nationalpicture import views

app_name = "national-picture"
urlpatterns = [
    path("", views.index, name="index"),
    path("about-the-data/", views.about_data, name="about-data"),
]
