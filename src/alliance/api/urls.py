from django.urls import path

from alliance.api import views

app_name = "api-tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("new/", views.issue, name="issue"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
