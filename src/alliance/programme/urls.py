from django.urls import path

from alliance.programme.views import (
    corrections,
    dashboard,
    dfe_view,
    engagements,
    money,
    practice,
    practice_evidence,
    setup,
    spend_reports,
)

app_name = "programme"
urlpatterns = [
    path("", dashboard.index, name="index"),
    path("dashboard.csv", dashboard.dashboard_csv, name="dashboard-csv"),
    path("at-a-glance/", dfe_view.dfe_view, name="dfe-view"),
    path("at-a-glance/alliance/", dfe_view.alliance_view, name="alliance-view"),
    path("at-a-glance.csv", dfe_view.dfe_view_csv, name="dfe-view-csv"),
    path("at-a-glance/alliance.csv", dfe_view.alliance_view_csv, name="alliance-view-csv"),
    path("setup/", setup.setup, name="setup"),
    path("setup/new/", setup.programme_new, name="programme-new"),
    path("setup/<int:pk>/", setup.programme_detail, name="programme"),
    path("setup/<int:pk>/partners/new/", setup.partner_edit, name="partner-new"),
    path("setup/<int:pk>/partners/<int:partner_pk>/", setup.partner_edit, name="partner-edit"),
    path("setup/<int:pk>/needs/", setup.needs_list, name="needs"),
    path("setup/<int:pk>/needs/<str:dfe_code>/", setup.need_detail, name="need"),
    path("setup/<int:pk>/matching/", setup.matching, name="matching"),
    path(
        "setup/<int:pk>/proposals/<int:proposal_pk>/",
        setup.proposal_decide,
        name="proposal-decide",
    ),
    path("setup/<int:pk>/matches/<int:match_pk>/", setup.match_move, name="match-move"),
    path(
        "setup/<int:pk>/matches/<int:match_pk>/withdraw/",
        setup.match_withdraw,
        name="match-withdraw",
    ),
    path("engagements/", engagements.engagements, name="engagements"),
    path("matches/<int:match_pk>/start/", engagements.engagement_start, name="engagement-start"),
    path("engagements/<int:pk>/", engagements.engagement_detail, name="engagement"),
    path(
        "engagements/<int:pk>/history/", engagements.engagement_history, name="engagement-history"
    ),
    path("engagements/<int:pk>/milestones/new/", engagements.milestone_edit, name="milestone-new"),
    path(
        "engagements/<int:pk>/milestones/<int:milestone_pk>/",
        engagements.milestone_edit,
        name="milestone-edit",
    ),
    path("engagements/<int:pk>/activities/new/", engagements.activity_new, name="activity-new"),
    path("engagements/<int:pk>/priorities/new/", engagements.priority_new, name="priority-new"),
    path("engagements/<int:pk>/plan/", engagements.plan_edit, name="plan"),
    path("engagements/<int:pk>/diagnostic/", engagements.diagnostic_edit, name="diagnostic"),
    path("engagements/<int:pk>/reviews/<int:review_pk>/", engagements.review_edit, name="review"),
    path("engagements/<int:pk>/close/", engagements.engagement_close, name="close"),
    path("money/", money.money, name="money"),
    path("money/export.xlsx", money.money_export, name="money-export"),
    path("money/<int:partner_pk>/lines/new/", money.budget_line_new, name="budget-line-new"),
    path("money/<int:partner_pk>/spend/new/", money.spend_new, name="spend-new"),
    path("money/lines/<int:pk>/", money.budget_line, name="budget-line"),
    path("money/lines/<int:pk>/profile/", money.profile_edit, name="profile"),
    path("money/spend/<int:pk>/correct/", money.spend_correct, name="spend-correct"),
    path(
        "money/<int:partner_pk>/spend-reports/new/", money.spend_report_new, name="spend-report-new"
    ),
    path("spend-reports/", spend_reports.spend_report_list, name="spend-reports"),
    path("spend-reports/<int:pk>/", spend_reports.spend_report_detail, name="spend-report"),
    path(
        "spend-reports/<int:pk>/acknowledge/",
        spend_reports.spend_report_acknowledge,
        name="spend-report-acknowledge",
    ),
    path(
        "spend-reports/<int:pk>/query/",
        spend_reports.spend_report_query,
        name="spend-report-query",
    ),
    path(
        "spend-reports/<int:pk>/answer/",
        spend_reports.spend_report_answer,
        name="spend-report-answer",
    ),
    path("records/<slug:kind>/<int:pk>/", corrections.record_edit, name="record-change"),
    path("records/<slug:kind>/<int:pk>/remove/", corrections.record_remove, name="record-remove"),
    path("changes/", corrections.changes, name="changes"),
    path("practice/", practice.practice_list, name="practice-list"),
    path("practice/new/", practice.practice_new, name="practice-new"),
    path("practice/<int:pk>/", practice.practice_detail, name="practice"),
    path(
        "practice/<int:pk>/evidence/", practice_evidence.practice_evidence, name="practice-evidence"
    ),
    path(
        "practice/<int:pk>/evidence/confirm/",
        practice_evidence.practice_evidence_confirm,
        name="practice-evidence-confirm",
    ),
    path("practice/<int:pk>/attachment/", practice.practice_download, name="practice-download"),
    path("engagements/<int:pk>/practice/", practice.practice_link, name="practice-link"),
]
