"""Edge of Care: North Tyneside's rapid-response service for families in crisis.

Every record belongs to the council that runs the service (`organisation`); practitioners see and
change their own council's records (Area.EDGE_OF_CARE); they, leaders and analysts see
de-identified figures (Area.EDGE_OF_CARE_FIGURES). Children's baseline characteristics are recorded in the codes the CIN
census and SSDA903 use, so the evaluation can compare them with children in those returns.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.organisations.models import Organisation


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate: family in crisis now"
    URGENT = "urgent", "Urgent: within a day"
    STANDARD = "standard", "Standard: within 3 days"


# Hours to first contact when the council has not set its own targets.
DEFAULT_TARGET_HOURS = {Urgency.IMMEDIATE: 4, Urgency.URGENT: 24, Urgency.STANDARD: 72}


class ReferrerType(models.TextChoices):
    SOCIAL_WORKER = "social-worker", "Social worker"
    SCHOOL = "school", "School or college"
    HEALTH = "health", "Health (GP, health visitor, hospital, CAMHS)"
    POLICE = "police", "Police"
    EARLY_HELP = "early-help", "Early help team"
    HOUSING = "housing", "Housing"
    FAMILY = "family", "Family member or the young person"
    VOLUNTARY = "voluntary", "Voluntary or community organisation"
    OTHER = "other", "Other"


class Need(models.TextChoices):
    FAMILY_BREAKDOWN = "family-breakdown", "Family breakdown"
    ADOLESCENT_RISK = "adolescent-risk", "Adolescent risk (going missing, risky behaviour)"
    EXPLOITATION = "exploitation", "Exploitation (criminal or sexual)"
    PARENTAL_MENTAL_HEALTH = "parental-mental-health", "Parental mental health"
    DOMESTIC_ABUSE = "domestic-abuse", "Domestic abuse"
    SUBSTANCE_MISUSE = "substance-misuse", "Substance misuse"
    HOUSING = "housing", "Housing"
    SCHOOL_EXCLUSION = "school-exclusion", "School exclusion or not attending"
    CHILD_MENTAL_HEALTH = "child-mental-health", "Child's emotional or mental health"
    NEGLECT = "neglect", "Neglect"


class Risk(models.TextChoices):
    HIGH = "high", "High: likely to enter care within weeks without support"
    MEDIUM = "medium", "Medium: could enter care within months"
    LOW = "low", "Low: at risk if things get worse"


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", "The family consented to the referral (UK GDPR article 6(1)(a))"
    PUBLIC_TASK = (
        "public-task",
        "Public task: the council's duties under the Children Act 1989 (article 6(1)(e))",
    )
    VITAL_INTERESTS = (
        "vital-interests",
        "Vital interests: a child is at risk of significant harm (article 6(1)(d))",
    )


class AllocationMethod(models.TextChoices):
    NEEDS = "needs", "By assessed need (practitioner's judgement)"
    WAITING_LIST = "waiting-list", "In waiting-list order (first come, first served)"
    RANDOM = "random", "At random (for evaluation)"


class Arm(models.TextChoices):
    SERVICE = "service", "Offered Edge of Care services"
    USUAL_CARE = "usual-care", "Usual care (not offered Edge of Care services)"


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals-met", "Goals met: family no longer needs the service"
    STEP_DOWN = "step-down", "Stepped down to early help or universal services"
    STEP_UP = "step-up", "Stepped up to statutory social care (child in need or protection)"
    ENTERED_CARE = "entered-care", "A child entered care"
    DISENGAGED = "disengaged", "Family stopped engaging"
    MOVED_AWAY = "moved-away", "Family moved out of the area"
    NOT_ELIGIBLE = "not-eligible", "Referral did not meet the criteria"


class PlacementType(models.TextChoices):
    FOSTER_IN_HOUSE = "foster-in-house", "Foster care (council's own carers)"
    FOSTER_AGENCY = "foster-agency", "Foster care (independent agency)"
    KINSHIP = "kinship", "Family and friends (kinship) care"
    RESIDENTIAL = "residential", "Children's home"
    SEMI_INDEPENDENT = "semi-independent", "Supported or semi-independent living"


# CIN census primary need codes (the DfE's codes and names).
PRIMARY_NEED = [
    ("N1", "N1 Abuse or neglect"),
    ("N2", "N2 Child's disability or illness"),
    ("N3", "N3 Parental illness or disability"),
    ("N4", "N4 Family in acute stress"),
    ("N5", "N5 Family dysfunction"),
    ("N6", "N6 Socially unacceptable behaviour"),
    ("N7", "N7 Low income"),
    ("N8", "N8 Absent parenting"),
]


class CouncilSettings(models.Model):
    """How a council runs its Edge of Care service: who hears about missed targets, how families
    are allocated, how long records are kept."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="edge_of_care_settings"
    )
    team_lead_email = models.EmailField(
        "Team lead's email",
        blank=True,
        help_text="Who is emailed when a target is about to be missed",
    )
    warn_minutes = models.PositiveIntegerField(
        "Warn this many minutes before a target is missed", default=60
    )
    allocation_method = models.CharField(
        max_length=20, choices=AllocationMethod.choices, default=AllocationMethod.NEEDS
    )
    retention_years = models.PositiveSmallIntegerField(
        "Keep closed records for this many years", default=6
    )
    retention_until_age = models.PositiveSmallIntegerField(
        "and at least until the youngest child is this old", default=25
    )
    # Bumped whenever an outcome is written, so cached outcome figures are never stale, whichever
    # web process cached them.
    outcomes_version = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return f"Edge of Care settings for {self.organisation}"


class ResponseTarget(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    hours = models.PositiveIntegerField("Hours to first contact")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "urgency"], name="eoc_one_target")
        ]


class Service(models.Model):
    """One of the council's services families can be allocated to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(help_text="Families it can work with at once")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="eoc_service_name")
        ]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    class Status(models.TextChoices):
        AWAITING_CONTACT = "awaiting-contact", "Awaiting first contact"
        AWAITING_TRIAGE = "awaiting-triage", "Awaiting triage"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    referrer_type = models.CharField(max_length=20, choices=ReferrerType.choices)
    referrer_name = models.CharField(max_length=120)
    referrer_contact = models.CharField("Referrer's phone or email", max_length=120, blank=True)
    address_line_1 = models.CharField(max_length=120)
    address_town = models.CharField("Town", max_length=80)
    postcode = models.CharField(max_length=8, db_index=True)
    needs = models.JSONField("Presenting needs", default=list)
    risk = models.CharField("Risk of entering care", max_length=10, choices=Risk.choices)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    summary = models.TextField("What is happening", blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_CONTACT, db_index=True
    )
    due_at = models.DateTimeField("First contact due", db_index=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    allocation_method = models.CharField(
        max_length=20, choices=AllocationMethod.choices, default=AllocationMethod.NEEDS
    )
    arm = models.CharField(
        "Randomised to", max_length=20, choices=Arm.choices, blank=True, default=""
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The practitioner who works the family's case (`workers.allocate_worker`).
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Allocated worker",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="edge_of_care_cases",
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_at"]),
            models.Index(fields=["organisation", "received_at"]),
            # The dashboard's closures by reason over the last year, read from the index alone.
            models.Index(
                fields=["organisation", "closed_at", "closure_reason"], name="eoc_referral_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    @property
    def reference(self) -> str:
        return f"EOC-{self.pk:06d}" if self.pk else "EOC-new"

    @property
    def met_target(self) -> bool | None:
        if self.first_contact_at is None:
            return None
        return self.first_contact_at <= self.due_at

    def need_labels(self) -> list[str]:
        names = dict(Need.choices)
        return [names.get(n, n) for n in self.needs]


class Child(models.Model):
    """A child in a referred family, with the baseline the evaluation matches on, in CIN/SSDA903
    codes."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    la_child_id = models.CharField(
        "Council's child id (as in the CIN census and SSDA903)", max_length=20, blank=True
    )
    school = models.CharField(max_length=120, blank=True)
    primary_need = models.CharField(max_length=2, choices=PRIMARY_NEED)
    disabled = models.BooleanField(default=False)
    uasc = models.BooleanField("Unaccompanied asylum-seeking child", default=False)
    prior_referrals = models.PositiveSmallIntegerField(
        "Referrals to children's social care in the last 12 months", default=0
    )
    cp_history = models.BooleanField("Has ever had a child protection plan", default=False)

    class Meta:
        ordering = ["date_of_birth"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class FamilyMember(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=60)

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class ServiceAllocation(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "On the waiting list"
        ACTIVE = "active", "Working with the family"
        ENDED = "ended", "Ended"

    class Progress(models.TextChoices):
        NOT_STARTED = "not-started", "Not started"
        SOME = "some", "Some progress"
        GOOD = "good", "Good progress"
        NONE = "none", "No progress"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="allocations")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="allocations")
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    allocated_at = models.DateTimeField(default=timezone.now)
    # When the family joined this service's waiting list (empty: a place was free at triage) and
    # when the service began working with them: the wait is the time between. A family that
    # left the list without a place has `ended_at` and no `started_at`. The evaluation compares
    # families who had to wait with families who started at once (`evaluation.waiting_list`).
    waiting_from = models.DateTimeField("Joined the waiting list", null=True, blank=True)
    started_at = models.DateTimeField("Service started", null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(
        max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )

    class Meta:
        ordering = ["allocated_at"]

    def __str__(self) -> str:
        return f"{self.service} for {self.referral.reference}"


class Contact(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", "Phone call"
        HOME_VISIT = "home-visit", "Home visit"
        SCHOOL_VISIT = "school-visit", "Visit at school"
        SESSION = "session", "Service session"
        MEETING = "meeting", "Meeting with other professionals"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contacts")
    allocation = models.ForeignKey(
        ServiceAllocation, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    happened_at = models.DateTimeField()
    notes = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-happened_at"]


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Working on it"
        ACHIEVED = "achieved", "Achieved"
        NOT_ACHIEVED = "not-achieved", "Not achieved"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="goals")
    allocation = models.ForeignKey(
        ServiceAllocation, null=True, blank=True, on_delete=models.CASCADE, related_name="goals"
    )
    description = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)


class Review(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    summary = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on"]


OUTCOME_MONTHS = (3, 6, 12, 21)


class Outcome(models.Model):
    """How a child was doing some months after referral. `entered_care` and `re_referred` are
    filled from the council's SSDA903 and CIN uploads when they can be; the practitioner records
    what the data cannot tell."""

    class Source(models.TextChoices):
        RETURNS = "returns", "Matched in the council's statutory returns"
        PRACTITIONER = "practitioner", "Recorded by a practitioner"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="outcomes")
    months = models.PositiveSmallIntegerField(choices=[(m, f"{m} months") for m in OUTCOME_MONTHS])
    checked_on = models.DateField()
    living_at_home = models.BooleanField(null=True, blank=True)
    same_school = models.BooleanField(null=True, blank=True)
    entered_care = models.BooleanField(null=True, blank=True)
    entered_care_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    re_referred = models.BooleanField(null=True, blank=True)
    re_referred_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["months"]
        constraints = [
            models.UniqueConstraint(fields=["child", "months"], name="eoc_one_outcome_per_point")
        ]


class UnitCost(models.Model):
    """A council's weekly cost of a placement of one type, in pence."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    placement_type = models.CharField(max_length=20, choices=PlacementType.choices)
    weekly_pence = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "placement_type"], name="eoc_one_cost_per_type"
            )
        ]
