from django.urls import path

from alliance.edgeofcare.views import (
    case_work,
    council_settings,
    dashboard,
    referrals,
    service_catalogue,
)

app_name = "edgeofcare"
urlpatterns = [
    path("", referrals.index, name="index"),
    path("queue/", referrals.queue, name="queue"),
    path("cases/", referrals.cases, name="cases"),
    path("referrals/new/", referrals.referral_new, name="referral-new"),
    path("referrals/<int:pk>/", referrals.referral, name="referral"),
    path("referrals/<int:pk>/contacts/new/", case_work.contact_add, name="contact-add"),
    path("referrals/<int:pk>/triage/", case_work.triage, name="triage"),
    path("referrals/<int:pk>/worker/", case_work.worker, name="worker"),
    path(
        "referrals/<int:pk>/services/<int:allocation_pk>/",
        case_work.allocation_update,
        name="allocation-update",
    ),
    path("referrals/<int:pk>/goals/new/", case_work.goal_add, name="goal-add"),
    path("referrals/<int:pk>/goals/<int:goal_pk>/", case_work.goal_update, name="goal-update"),
    path("referrals/<int:pk>/reviews/new/", case_work.review_add, name="review-add"),
    path("referrals/<int:pk>/close/", case_work.close, name="close"),
    path("referrals/<int:pk>/children/<int:child_pk>/outcome/", case_work.outcome, name="outcome"),
    path("services/", service_catalogue.service_list, name="services"),
    path("services/new/", service_catalogue.service_edit, name="service-add"),
    path("services/<int:service_pk>/", service_catalogue.service_edit, name="service-edit"),
    path("settings/", council_settings.council_settings, name="settings"),
    path("settings/costs/", council_settings.unit_costs, name="costs"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("evaluation/", dashboard.evaluation, name="evaluation"),
]
