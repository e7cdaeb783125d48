from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "alliance.evidence"
    label = "evidence"
    verbose_name = "Insight"
    # After the national picture's judgements: `alliance load-reference` (and so the demo, which
    # needs it first) computes and stores the figures the Insight pages read.
    reference_loaders = ("alliance.evidence.figures.store",)
    reference_order = 30
