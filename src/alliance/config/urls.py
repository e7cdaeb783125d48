"""Every URL of the service. Each capability's URLs live in its own app; every view is guarded by
the access policy or marked public (tests/alliance/test_every_view_is_guarded.py proves it)."""

from django.contrib import admin
from django.urls import include, path

from alliance.api.routes import api_urls
from alliance.common import views as common
from alliance.common.metrics import metrics
from alliance.schedule import views as schedule

urlpatterns = [
    path("", common.home, name="home"),
    path("health/", schedule.health, name="health"),
    path("metrics/", metrics, name="metrics"),
    path("accessibility/", common.accessibility, name="accessibility"),
    path("", include("alliance.accounts.urls")),
    path("national-picture/", include("alliance.nationalpicture.urls")),
    path("returns/", include("alliance.returns.urls")),
    path("programme/", include("alliance.programme.urls")),
    path("workplace/", include("alliance.workplace.urls")),
    path("edge-of-care/", include("alliance.edgeofcare.urls")),
    path("forecast/", include("alliance.forecasts.urls")),
    path("organisations/", include("alliance.organisations.urls")),
    path("insight/", include("alliance.evidence.urls")),
    path("audit/", include("alliance.audit.urls")),
    path("api/v1/", api_urls()),
    path("api-tokens/", include("alliance.api.urls")),
    path("scheduled-jobs/", include("alliance.schedule.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "alliance.common.views.forbidden"
handler404 = "alliance.common.views.not_found"
handler500 = "alliance.common.views.server_error"
