from django.urls import path

from alliance.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/security-code/", views.second_factor, name="second-factor"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="password-change"),
    path("account/two-step-verification/", views.set_up_second_factor, name="set-up-second-factor"),
]
