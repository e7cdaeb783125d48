from django.urls import path

from alliance.workplace.views import (
    employers,
    me,
    opportunities,
    outcomes,
    registration,
    young_people,
)

app_name = "workplace"
urlpatterns = [
    # Advisers (council practitioners)
    path("", young_people.index, name="index"),
    path("duties/", young_people.duties, name="duties"),
    path("young-people/", young_people.young_people, name="young-people"),
    path("young-people/new/", young_people.young_person_new, name="young-person-new"),
    path("young-people/<int:pk>/", young_people.young_person, name="young-person"),
    path("young-people/<int:pk>/change/", young_people.young_person_edit, name="young-person-edit"),
    path("young-people/<int:pk>/opportunities/", opportunities.matches, name="matches"),
    path(
        "young-people/<int:pk>/opportunities/<int:opportunity_pk>/suggest/",
        opportunities.suggest,
        name="suggest",
    ),
    path(
        "young-people/<int:pk>/appointments/new/",
        young_people.appointment_new,
        name="appointment-new",
    ),
    path("young-people/<int:pk>/goals/new/", young_people.goal_new, name="goal-new"),
    path(
        "young-people/<int:pk>/care-leaver-information/",
        young_people.care_leaver_info,
        name="care-leaver-info",
    ),
    path(
        "young-people/<int:pk>/pathway-review/", young_people.pathway_review, name="pathway-review"
    ),
    path("young-people/<int:pk>/letter/", young_people.letter_new, name="letter-new"),
    path("appointments/<int:pk>/", young_people.appointment_edit, name="appointment"),
    path("goals/<int:pk>/", young_people.goal_edit, name="goal"),
    path("referrals/<int:pk>/", opportunities.referral, name="referral"),
    path(
        "referrals/<int:pk>/correct/",
        opportunities.referral_correct,
        name="referral-correct",
    ),
    path("letters/<int:pk>/", young_people.letter, name="letter"),
    path("local-offer/", opportunities.local_offer, name="local-offer"),
    path("opportunities/", opportunities.opportunities, name="opportunities"),
    path("opportunities/<int:pk>/", opportunities.opportunity, name="opportunity"),
    path("employers/", employers.employers, name="employers"),
    path("employers/<int:pk>/", registration.employer_review, name="employer-review"),
    path("group-sessions/", opportunities.group_sessions, name="group-sessions"),
    path("group-sessions/new/", opportunities.group_session_new, name="group-session-new"),
    path("group-sessions/<int:pk>/", opportunities.group_session, name="group-session"),
    path("outcomes/", outcomes.outcomes, name="outcomes"),
    path("outcomes.csv", outcomes.outcomes_csv, name="outcomes-csv"),
    # Businesses registering themselves (public)
    path("register/", registration.register, name="register"),
    path("register/check/", registration.register_check, name="register-check"),
    path("register/done/", registration.register_done, name="register-done"),
    path(
        "register/password/<str:uidb64>/<str:token>/",
        registration.register_password,
        name="register-password",
    ),
    path("register/<slug:step>/", registration.register_step, name="register-step"),
    # Employers
    path("employer/", employers.employer_home, name="employer-home"),
    path(
        "employer/opportunities/new/",
        employers.employer_opportunity_new,
        name="employer-opportunity-new",
    ),
    path(
        "employer/opportunities/<int:pk>/",
        employers.employer_opportunity,
        name="employer-opportunity",
    ),
    path(
        "employer/opportunities/<int:pk>/change/",
        employers.employer_opportunity_edit,
        name="employer-opportunity-edit",
    ),
    path(
        "employer/opportunities/<int:pk>/close/",
        employers.employer_opportunity_close,
        name="employer-opportunity-close",
    ),
    path(
        "employer/opportunities/<int:pk>/reopen/",
        employers.employer_opportunity_reopen,
        name="employer-opportunity-reopen",
    ),
    path("employer/applicants/<int:pk>/", employers.employer_applicant, name="employer-applicant"),
    path("employer/pledge/", employers.employer_pledge, name="employer-pledge"),
    # Young people
    path("me/", me.me, name="me"),
    path("me/opportunities/<int:pk>/interested/", me.me_interested, name="me-interested"),
]
