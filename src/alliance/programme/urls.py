from django.urls import path

from alliance.programme import views

app_name = "programme"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard-csv"),
    path("setup/", views.setup, name="setup"),
    path("setup/new/", views.programme_new, name="programme-new"),
    path("setup/<int:pk>/", views.programme_detail, name="programme"),
    path("setup/<int:pk>/partners/new/", views.partner_edit, name="partner-new"),
    path("setup/<int:pk>/partners/<int:partner_pk>/", views.partner_edit, name="partner-edit"),
    path("setup/<int:pk>/needs/", views.needs_list, name="needs"),
    path("setup/<int:pk>/needs/<str:dfe_code>/", views.need_detail, name="need"),
    path("setup/<int:pk>/matching/", views.matching, name="matching"),
    path("engagements/", views.engagements, name="engagements"),
    path("matches/<int:match_pk>/start/", views.engagement_start, name="engagement-start"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement"),
    path("engagements/<int:pk>/history/", views.engagement_history, name="engagement-history"),
    path("engagements/<int:pk>/milestones/new/", views.milestone_edit, name="milestone-new"),
    path(
        "engagements/<int:pk>/milestones/<int:milestone_pk>/",
        views.milestone_edit,
        name="milestone-edit",
    ),
    path("engagements/<int:pk>/activities/new/", views.activity_new, name="activity-new"),
    path("engagements/<int:pk>/priorities/new/", views.priority_new, name="priority-new"),
    path("engagements/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("engagements/<int:pk>/diagnostic/", views.diagnostic_edit, name="diagnostic"),
    path("engagements/<int:pk>/reviews/<int:review_pk>/", views.review_edit, name="review"),
    path("engagements/<int:pk>/close/", views.engagement_close, name="close"),
    path("money/", views.money, name="money"),
    path("money/export.xlsx", views.money_export, name="money-export"),
    path("money/<int:partner_pk>/lines/new/", views.budget_line_new, name="budget-line-new"),
    path("money/<int:partner_pk>/spend/new/", views.spend_new, name="spend-new"),
    path("changes/", views.changes, name="changes"),
    path("practice/", views.practice_list, name="practice-list"),
    path("practice/new/", views.practice_new, name="practice-new"),
    path("practice/<int:pk>/", views.practice_detail, name="practice"),
    path("practice/<int:pk>/attachment/", views.practice_download, name="practice-download"),
    path("engagements/<int:pk>/practice/", views.practice_link, name="practice-link"),
]
