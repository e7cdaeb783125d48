from django.urls import path

from alliance.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="new-upload"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload"),
    path("uploads/<int:pk>/status.json", views.upload_status, name="upload-status"),
    path("uploads/<int:pk>/rules/<str:code>/", views.rule_detail, name="rule"),
    path("uploads/<int:pk>/findings.xlsx", views.download, name="download"),
    path("uploads/<int:pk>/retry/", views.retry, name="retry"),
    path("performance/", views.performance_page, name="performance"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/end/", views.agreement_end, name="agreement-end"),
    path("pooled/", views.pooled, name="pooled"),
    path(
        "pooled/<int:alliance_id>/<str:kind>/<int:year>/<str:table>.csv",
        views.pooled_download,
        name="pooled-download",
    ),
    path("aggregates/", views.aggregates, name="aggregates"),
    path("aggregates.csv", views.aggregates_download, name="aggregates-download"),
]
