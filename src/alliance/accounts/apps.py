from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alliance.accounts"
    label = "accounts"
    verbose_name = "People and sign-in"
    metrics_collectors = ("alliance.accounts.metrics.SignInFailuresCollector",)

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from alliance.accounts.sessions import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="alliance-session-clocks")
