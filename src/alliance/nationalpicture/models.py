"""The national picture: Ofsted's judgements of every council's children's services over time, and
the published indicators (DfE LAIT and official statistics) for councils, regions and England.

Everything here is published data loaded by `alliance load-reference` (see loaders.py); nothing is
entered through the service.
"""

from __future__ import annotations

from django.db import models

from alliance.organisations.models import Council


class Grade(models.TextChoices):
    """Ofsted's four-point scale (SLAC's older grades use the same wording)."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires-improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


class Framework(models.TextChoices):
    SLAC = "slac", "Safeguarding and looked after children (SLAC)"
    SLAC_REINSPECTION = "slac-reinspection", "SLAC re-inspection"
    CPI = "cpi", "Child protection inspection"
    CPRI = "cpri", "Child protection re-inspection"
    TLAC = "tlac", "Targeted looked after children inspection"
    SIF = "sif", "Single inspection framework (SIF)"
    SIF_REINSPECTION = "sif-reinspection", "SIF re-inspection"
    ILACS_STANDARD = "ilacs-standard", "ILACS standard inspection"
    ILACS_SHORT = "ilacs-short", "ILACS short inspection"


# The frameworks that judge the overall effectiveness of a council's children's services: the
# headline share counts these only (SLAC, CPI and TLAC judged parts of the service).
OVERALL_FRAMEWORKS = (
    Framework.SIF,
    Framework.SIF_REINSPECTION,
    Framework.ILACS_STANDARD,
    Framework.ILACS_SHORT,
)


class Source(models.TextChoices):
    OFFICIAL_2025 = (
        "ofsted-outcomes-2025",
        "Ofsted official statistics: LA inspection outcomes as at 31 March 2025",
    )
    OFSTED_2023 = (
        "ofsted-data-2023",
        "Ofsted: children's social care data in England 2023 (inspections 2009 to 2023)",
    )
    SCRAPE = "ilacs-scrape", "Ofsted reports after 31 March 2025 (data-to-insight ILACS scrape)"


class Judgement(models.Model):
    """One inspection of one council's children's services and its judgements.

    `council` is empty for the councils that no longer exist (Bournemouth, Poole and the old Dorset
    before 2019, Northamptonshire before 2021, Cumbria before 2023): their judgements are kept under
    `area_name`, with the date the council ended, so the share of councils at an earlier date
    counts the councils that existed then."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="judgements"
    )
    area_name = models.CharField(max_length=200, help_text="The council's name in the source")
    area_code = models.CharField(
        max_length=9, blank=True, help_text="ONS code where the source gives one"
    )
    ended = models.DateField(
        null=True, blank=True, help_text="For a council that no longer exists: when it ended"
    )
    framework = models.CharField(max_length=30, choices=Framework.choices)
    inspection_date = models.DateField(
        null=True, blank=True, help_text="First day of the inspection, where published"
    )
    published = models.DateField(
        help_text="Publication date of the report: the judgement stands from then"
    )
    overall = models.CharField(
        "overall effectiveness", max_length=30, choices=Grade.choices, blank=True
    )
    leaders = models.CharField(
        "impact of leaders / leadership, management and governance",
        max_length=30,
        choices=Grade.choices,
        blank=True,
    )
    help_and_protection = models.CharField(
        "children who need help and protection", max_length=30, choices=Grade.choices, blank=True
    )
    children_in_care = models.CharField(
        "children in care / looked after and achieving permanence",
        max_length=30,
        choices=Grade.choices,
        blank=True,
    )
    care_leavers = models.CharField(
        "care leavers", max_length=30, choices=Grade.choices, blank=True
    )
    adoption = models.CharField(
        "adoption performance (SIF)", max_length=30, choices=Grade.choices, blank=True
    )
    source = models.CharField(max_length=30, choices=Source.choices)
    link = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["published"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_name", "framework", "published"], name="one_judgement_per_report"
            ),
        ]
        indexes = [
            models.Index(fields=["council", "published"]),
            models.Index(fields=["published"]),
        ]

    def __str__(self) -> str:
        return f"{self.area_name}: {self.get_framework_display()} published {self.published}"

    @property
    def sub_judgements(self) -> list[tuple[str, str]]:
        """(label, grade) for the sub-judgements this framework makes, in Ofsted's order and words."""
        labels: tuple[tuple[str, str], ...]
        if self.framework in (Framework.SIF, Framework.SIF_REINSPECTION):
            labels = SIF_SUB_JUDGEMENTS
        elif self.framework in (Framework.ILACS_STANDARD, Framework.ILACS_SHORT):
            labels = ILACS_SUB_JUDGEMENTS
        else:
            labels = EARLIER_SUB_JUDGEMENTS
        return [(label, getattr(self, field)) for field, label in labels]


SIF_SUB_JUDGEMENTS = (
    ("help_and_protection", "Children who need help and protection"),
    ("children_in_care", "Children looked after and achieving permanence"),
    ("adoption", "Adoption performance"),
    ("care_leavers", "Experiences and progress of care leavers"),
    ("leaders", "Leadership, management and governance"),
)
ILACS_SUB_JUDGEMENTS = (
    ("leaders", "Impact of leaders on social work practice"),
    ("help_and_protection", "Children who need help and protection"),
    ("children_in_care", "Children in care"),
    ("care_leavers", "Care leavers"),
)
EARLIER_SUB_JUDGEMENTS = (
    ("help_and_protection", "Safeguarding / child protection"),
    ("children_in_care", "Looked after children"),
)


class Indicator(models.Model):
    """A published measure: one of LAIT's 434, or one built from the official tables."""

    class Polarity(models.TextChoices):
        HIGH = "high", "Higher is better"
        LOW = "low", "Lower is better"
        NONE = "", "Neither"

    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    topic = models.CharField(max_length=100, blank=True)
    source = models.CharField(
        max_length=30, help_text="'lait' or 'ees' (official statistics tables)"
    )
    polarity = models.CharField(max_length=4, choices=Polarity.choices, blank=True)
    unit = models.CharField(max_length=20, blank=True, help_text="'%', 'per 10,000' or blank")
    description = models.TextField(blank=True)
    year_type = models.CharField(max_length=40, blank=True)
    # A digest of the indicator's values, so a load that would change nothing skips its rows.
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """A figure for one area and period. `area_code` is the 3-digit DfE code for a council (also
    for former councils), the ONS code for a region (E12…, E13… for Inner/Outer London) or England
    (E92000001). A suppressed or missing figure has no value and keeps its marker (c, x, z, low…)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    area_code = models.CharField(max_length=9)
    period = models.CharField(max_length=30, help_text="As published, e.g. '2023-24' or '2016/17'")
    period_sort = models.PositiveIntegerField(
        help_text="Sortable: first year × 10 + kind of period"
    )
    value = models.FloatField(null=True, blank=True)
    marker = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "period_sort"], name="one_value_per_area_period"
            ),
        ]
        indexes = [models.Index(fields=["area_code", "indicator"])]
