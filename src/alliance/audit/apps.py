from django.apps import AppConfig

from alliance.access.policy import Area
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
