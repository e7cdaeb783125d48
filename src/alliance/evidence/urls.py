from django.urls import path

from alliance.evidence import views

app_name = "insight"

urlpatterns = [
    path("", views.improvement, name="improvement"),
    path("measures-before-improvement/", views.measures, name="measures"),
    path("did-support-work/", views.support, name="support"),
    path("practice-that-worked/", views.practice, name="practice"),
    path("briefing/", views.briefing, name="briefing"),
    path("briefing/download/", views.briefing_download, name="briefing_download"),
]
