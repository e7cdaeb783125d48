from django.urls import path

from alliance.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisations, name="list"),
    path("new/", views.add, name="add"),
    path("<int:pk>/", views.organisation, name="organisation"),
    path("<int:pk>/single-sign-on/", views.single_sign_on, name="single-sign-on"),
    path("<int:pk>/councils/", views.add_member, name="add-member"),
    path("<int:pk>/councils/<int:member_pk>/remove/", views.remove_member, name="remove-member"),
    path(
        "<int:pk>/memberships/<int:membership_pk>/end/",
        views.end_membership,
        name="end-membership",
    ),
]
