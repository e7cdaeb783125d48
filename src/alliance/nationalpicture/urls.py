from django.urls import path

from alliance.nationalpicture import views

app_name = "national-picture"
urlpatterns = [
    path("", views.index, name="index"),
    path("councils.csv", views.councils_csv, name="councils-csv"),
    path("councils/<str:dfe_code>/", views.council_profile, name="council"),
    path("about-the-data/", views.about_data, name="about-data"),
]
