from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class AccountsConfig(AppConfig):
    name = "alliance.accounts"
    label = "accounts"
    verbose_name = "People and sign-in"
    metrics_collectors = ("alliance.accounts.metrics.SignInFailuresCollector",)
    sections = (
        Section(
            "People",
            "accounts:people",
            "Invite people, give and take away their roles, and deactivate accounts.",
            area=Area.PEOPLE,
            order=85,
        ),
    )

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from alliance.accounts.sessions import note_sign_in
        from alliance.accounts.where_signed_in import note_session

        user_logged_in.connect(note_sign_in, dispatch_uid="alliance-session-clocks")
        user_logged_in.connect(note_session, dispatch_uid="alliance-signed-in-sessions")
