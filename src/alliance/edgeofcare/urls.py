from django.urls import path

from alliance.edgeofcare import views

app_name = "edgeofcare"
urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("cases/", views.cases, name="cases"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("referrals/<int:pk>/contacts/new/", views.contact_add, name="contact-add"),
    path("referrals/<int:pk>/triage/", views.triage, name="triage"),
    path(
        "referrals/<int:pk>/services/<int:allocation_pk>/",
        views.allocation_update,
        name="allocation-update",
    ),
    path("referrals/<int:pk>/goals/new/", views.goal_add, name="goal-add"),
    path("referrals/<int:pk>/goals/<int:goal_pk>/", views.goal_update, name="goal-update"),
    path("referrals/<int:pk>/reviews/new/", views.review_add, name="review-add"),
    path("referrals/<int:pk>/close/", views.close, name="close"),
    path("referrals/<int:pk>/children/<int:child_pk>/outcome/", views.outcome, name="outcome"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_edit, name="service-add"),
    path("services/<int:service_pk>/", views.service_edit, name="service-edit"),
    path("settings/", views.council_settings, name="settings"),
    path("settings/costs/", views.unit_costs, name="costs"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("evaluation/", views.evaluation, name="evaluation"),
]
