from django.urls import path

from alliance.accounts import single_sign_on_views, views
from alliance.accounts.people import password_views
from alliance.accounts.people import views as people

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path(
        "sign-in/organisation/",
        single_sign_on_views.organisation_sign_in,
        name="organisation-sign-in",
    ),
    path(
        "sign-in/organisation/return/",
        single_sign_on_views.organisation_sign_in_return,
        name="organisation-sign-in-return",
    ),
    path("sign-in/security-code/", views.second_factor, name="second-factor"),
    path(
        "sign-in/forgotten-password/",
        password_views.forgotten_password,
        name="forgotten-password",
    ),
    path(
        "sign-in/forgotten-password/sent/",
        password_views.forgotten_password_sent,
        name="forgotten-password-sent",
    ),
    path(
        "sign-in/new-password/<str:uidb64>/<str:token>/",
        password_views.password_reset,
        name="password-reset",
    ),
    path("invitation/<str:uidb64>/<str:token>/", password_views.invitation, name="invitation"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="password-change"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/two-step-verification/", views.set_up_second_factor, name="set-up-second-factor"),
    path("account/two-step-verification/needed/", views.two_step_needed, name="two-step-needed"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/roles/", people.give_role, name="give-role"),
    path("people/<int:pk>/roles/<int:membership_pk>/remove/", people.take_role, name="take-role"),
    path("people/<int:pk>/deactivate/", people.deactivate, name="deactivate"),
    path("people/<int:pk>/reactivate/", people.reactivate, name="reactivate"),
    path(
        "people/<int:pk>/organisation-account/unlink/",
        people.unlink_organisation_account,
        name="unlink-organisation-account",
    ),
    path(
        "people/<int:pk>/two-step-verification/reset/", people.reset_two_step, name="reset-two-step"
    ),
]
