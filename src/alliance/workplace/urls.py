from django.urls import path

from alliance.workplace import registration_views as registering
from alliance.workplace import views

app_name = "workplace"
urlpatterns = [
    # Advisers (council practitioners)
    path("", views.index, name="index"),
    path("duties/", views.duties, name="duties"),
    path("young-people/", views.young_people, name="young-people"),
    path("young-people/new/", views.young_person_new, name="young-person-new"),
    path("young-people/<int:pk>/", views.young_person, name="young-person"),
    path("young-people/<int:pk>/change/", views.young_person_edit, name="young-person-edit"),
    path("young-people/<int:pk>/opportunities/", views.matches, name="matches"),
    path(
        "young-people/<int:pk>/opportunities/<int:opportunity_pk>/suggest/",
        views.suggest,
        name="suggest",
    ),
    path("young-people/<int:pk>/appointments/new/", views.appointment_new, name="appointment-new"),
    path("young-people/<int:pk>/goals/new/", views.goal_new, name="goal-new"),
    path(
        "young-people/<int:pk>/care-leaver-information/",
        views.care_leaver_info,
        name="care-leaver-info",
    ),
    path("young-people/<int:pk>/pathway-review/", views.pathway_review, name="pathway-review"),
    path("young-people/<int:pk>/letter/", views.letter_new, name="letter-new"),
    path("appointments/<int:pk>/", views.appointment_edit, name="appointment"),
    path("goals/<int:pk>/", views.goal_edit, name="goal"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("local-offer/", views.local_offer, name="local-offer"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/<int:pk>/", views.opportunity, name="opportunity"),
    path("employers/", views.employers, name="employers"),
    path("employers/<int:pk>/", registering.employer_review, name="employer-review"),
    path("group-sessions/", views.group_sessions, name="group-sessions"),
    path("group-sessions/new/", views.group_session_new, name="group-session-new"),
    path("group-sessions/<int:pk>/", views.group_session, name="group-session"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes.csv", views.outcomes_csv, name="outcomes-csv"),
    # Businesses registering themselves (public)
    path("register/", registering.register, name="register"),
    path("register/check/", registering.register_check, name="register-check"),
    path("register/done/", registering.register_done, name="register-done"),
    path(
        "register/password/<str:uidb64>/<str:token>/",
        registering.register_password,
        name="register-password",
    ),
    path("register/<slug:step>/", registering.register_step, name="register-step"),
    # Employers
    path("employer/", views.employer_home, name="employer-home"),
    path(
        "employer/opportunities/new/",
        views.employer_opportunity_new,
        name="employer-opportunity-new",
    ),
    path(
        "employer/opportunities/<int:pk>/", views.employer_opportunity, name="employer-opportunity"
    ),
    path(
        "employer/opportunities/<int:pk>/change/",
        views.employer_opportunity_edit,
        name="employer-opportunity-edit",
    ),
    path(
        "employer/opportunities/<int:pk>/close/",
        views.employer_opportunity_close,
        name="employer-opportunity-close",
    ),
    path(
        "employer/opportunities/<int:pk>/reopen/",
        views.employer_opportunity_reopen,
        name="employer-opportunity-reopen",
    ),
    path("employer/applicants/<int:pk>/", views.employer_applicant, name="employer-applicant"),
    path("employer/pledge/", views.employer_pledge, name="employer-pledge"),
    # Young people
    path("me/", views.me, name="me"),
    path("me/opportunities/<int:pk>/interested/", views.me_interested, name="me-interested"),
]
