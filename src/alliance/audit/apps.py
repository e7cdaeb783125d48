from django.apps import AppConfig

from alliance.access.policy import Area, refused
from alliance.common.navigation import Section


class AuditConfig(AppConfig):
    name = "alliance.audit"
    label = "audit"
    verbose_name = "Audit log"
    sections = (
        Section(
            "Audit log",
            "audit:log",
            "Who viewed, changed or exported what, and when.",
            area=Area.AUDIT,
            order=90,
        ),
    )

    def ready(self) -> None:
        # every refusal by the access policy is written to the log
        from alliance.audit.services import record_refusal

        refused.connect(record_refusal, dispatch_uid="alliance.audit.refusals")
