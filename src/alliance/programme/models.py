"""The improvement programme: partners in practice (grouped into alliances) funded to help councils
rated requires improvement or inadequate, over two-year engagements.

Money is held in whole pence (BigIntegerField), never floats. Every change to plans, milestones and
money is written to `ChangeRecord` by `history.record_change` (and to the audit log), so the
history shows who changed what, when, from what to what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.organisations.models import Council, Organisation
from alliance.programme.money import pounds_and_pence


class OfstedArea(models.TextChoices):
    """The areas Ofsted judges under ILACS: priorities and strengths are tied to these."""

    LEADERS = "leaders", "Impact of leaders on social work practice"
    HELP_AND_PROTECTION = "help_and_protection", "Children who need help and protection"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    CARE_LEAVERS = "care_leavers", "Care leavers"


class Programme(models.Model):
    """A funded programme, e.g. the 2018 wave of Partners in Practice (£15m, 2018 to 2020)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes", help_text="Who runs it"
    )
    name = models.CharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField()
    grant_total_pence = models.BigIntegerField("grant total (pence)")
    is_demo = models.BooleanField(default=False, help_text="Demo data: fictional")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts", "name"]

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    """An alliance of partner councils (organisations.AllianceMember) funded by the programme, with
    its share of the grant and how many councils it can support at once."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    alliance = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="programme_partners",
        limit_choices_to={"kind": Organisation.Kind.ALLIANCE},
    )
    grant_share_pence = models.BigIntegerField("grant share (pence)")
    capacity = models.PositiveSmallIntegerField(help_text="How many councils it can support")
    innovation_project = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["alliance__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "alliance"], name="partner_once"),
            models.CheckConstraint(
                condition=models.Q(grant_share_pence__gte=0), name="grant_share_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.alliance)

    @property
    def organisation_id(self) -> int:
        return self.alliance_id


class SupportNeed(models.Model):
    """A council's need score as assessed for the programme, with its reasons in words and the
    weights used: kept when a match is confirmed, so the decision can be read back later."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="needs")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="support_needs")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    weights = models.JSONField(default=dict)
    as_at = models.DateField()
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]


class Match(models.Model):
    """A supported council paired with a partner, confirmed by a person."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="matches")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="matches")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="programme_matches")
    need = models.ForeignKey(SupportNeed, on_delete=models.SET_NULL, null=True, blank=True)
    suitability = models.FloatField(default=0)
    reasons = models.JSONField(default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner__alliance__name", "council__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "council"], name="council_matched_once"),
        ]

    def __str__(self) -> str:
        return f"{self.council} with {self.partner}"


class MatchProposal(models.Model):
    """A partner's proposal to support a council, which the DfE confirms (making the `Match`) or
    declines with its reason: partners and the DfE agree support together. Who proposed and who
    decided, and when, are kept."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the DfE"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="proposals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="proposals")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # the need as assessed when proposed, kept for the match the DfE confirms
    need_score = models.FloatField()
    need_reasons = models.JSONField(default=list)
    weights = models.JSONField(default=dict)
    as_at = models.DateField()
    suitability = models.FloatField(default=0)
    reasons = models.JSONField(default=list)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    match = models.OneToOneField(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "council"],
                condition=models.Q(status="proposed"),
                name="one_open_proposal_a_council",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} with {self.partner} (proposed)"

    @property
    def organisation_id(self) -> int:
        return self.partner.alliance_id


class Engagement(models.Model):
    """Two years of support from a partner to a supported council. Owned by the alliance that runs
    it; the supported council sees it too."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="engagements")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="engagements")
    alliance = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="engagements_run"
    )
    supported_council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="engagements"
    )
    match = models.OneToOneField(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="engagement"
    )
    starts = models.DateField()
    ends = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supported_council__name"]
        indexes = [models.Index(fields=["alliance", "status"])]

    def __str__(self) -> str:
        return f"{self.supported_council} (supported by {self.alliance})"

    @property
    def organisation_id(self) -> int:
        return self.alliance_id


class Diagnostic(models.Model):
    """The baseline: the council's judgements and indicators when the engagement began, and what
    the partner found."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="diagnostic"
    )
    as_at = models.DateField()
    judgement = models.JSONField(default=dict)  # {"published", "overall", areas…}
    indicators = models.JSONField(default=list)  # [{"code", "name", "period", "value", "unit"}]
    strengths = models.TextField(blank=True)
    concerns = models.TextField(blank=True)


class ImprovementPlan(models.Model):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField(blank=True)
    agreed_on = models.DateField(null=True, blank=True)


class Priority(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="priorities")
    ofsted_area = models.CharField(max_length=30, choices=OfstedArea.choices)
    description = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_ofsted_area_display()}: {self.description[:60]}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        PEER_REVIEW = "peer-review", "Peer review"
        PRACTICE_SHARING = "practice-sharing", "Practice-sharing session"
        SECONDMENT = "secondment", "Secondment"
        COACHING = "coaching", "Coaching"
        TRAINING = "training", "Training"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField()
    people = models.CharField(max_length=300, help_text="Who took part")
    hours = models.DecimalField(max_digits=6, decimal_places=1)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Milestone(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=200)
    owner_email = models.EmailField(blank=True)
    due = models.DateField()
    rag = models.CharField("RAG status", max_length=5, choices=Rag.choices, default=Rag.GREEN)
    evidence = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    last_reminded = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["completed_on", "due"])]

    def __str__(self) -> str:
        return self.title


class QuarterlyReview(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reviews")
    due = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    rag = models.CharField("overall RAG", max_length=5, choices=Rag.choices, blank=True)
    notes = models.TextField(blank=True)
    last_reminded = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due"]

    def __str__(self) -> str:
        return f"Quarterly review due {self.due:%-d %B %Y}"


class Closure(models.Model):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="closure")
    closed_on = models.DateField()
    impact_summary = models.TextField()
    indicators = models.JSONField(default=list)  # baseline → latest per indicator
    next_judgement = models.JSONField(default=dict)  # first overall judgement after the start


class BudgetLine(models.Model):
    class Kind(models.TextChoices):
        SUPPORT = "support", "Support work"
        INNOVATION = "innovation", "Innovation project"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    amount_pence = models.BigIntegerField("budget (pence)")

    class Meta:
        ordering = ["partner__alliance__name", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def organisation_id(self) -> int:
        return self.partner.alliance_id


class SpendReportStatus(models.TextChoices):
    """Where a spend report is with the DfE: submitted → (queried → answered →)… acknowledged."""

    SUBMITTED = "submitted", "Submitted"
    QUERIED = "queried", "Queried by the DfE"
    ANSWERED = "answered", "Answered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the DfE"


class SpendReport(models.Model):
    """A partner's report to the DfE of what it spent up to the end of a quarter of the programme
    (the DfE calls it a grant return; not to be confused with the statutory data returns).
    Once submitted, the spend it reports is fixed: such an entry is never changed or removed, and
    a mistake in it is put right by a correcting entry that reverses it (and, if need be, a new
    entry with the right figures)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="spend_reports")
    quarter = models.PositiveSmallIntegerField(help_text="Quarter of the programme, from 1")
    period_ends = models.DateField(help_text="The last day the return covers")
    total_pence = models.BigIntegerField("spend reported to date (pence)")
    entries_count = models.PositiveIntegerField(default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    # The DfE's side: it acknowledges the report, or queries it and the alliance's lead answers
    # (the thread is SpendReportMessage). Changed only by services/spend_report_queries.py.
    status = models.CharField(
        max_length=12, choices=SpendReportStatus.choices, default=SpendReportStatus.SUBMITTED
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partner__alliance__name", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "quarter"], name="spend_report_once"),
        ]

    def __str__(self) -> str:
        return f"Spend report to {self.period_ends:%-d %B %Y} ({self.partner})"

    @property
    def organisation_id(self) -> int:
        return self.partner.alliance_id


class SpendReportMessage(models.Model):
    """One message in the thread about a spend report: the DfE's query or the alliance lead's
    answer, with who wrote it and when. Never changed or removed."""

    class Kind(models.TextChoices):
        QUERY = "query", "Query from the DfE"
        ANSWER = "answer", "Answer from the alliance"

    spend_report = models.ForeignKey(SpendReport, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # kept as written: the thread still says who wrote it if the account is later removed
    written_by_name = models.CharField(max_length=254)
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.spend_report}"[:300]

    @property
    def organisation_id(self) -> int:
        return self.spend_report.partner.alliance_id


class SpendEntry(models.Model):
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spend")
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, null=True, blank=True, related_name="spend"
    )
    spent_on = models.DateField()
    amount_pence = models.BigIntegerField("amount (pence)")
    description = models.CharField(max_length=300)
    evidence = models.CharField(max_length=300, help_text="Invoice or claim reference")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reported_in = models.ForeignKey(
        SpendReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        help_text="The spend report that reported it: then it is fixed",
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The reported entry this correcting entry cancels (its amount is the negative)",
    )

    class Meta:
        ordering = ["-spent_on", "-id"]
        # Covering index: the sums per budget line and per day read only the index, not the rows.
        indexes = [
            models.Index(
                fields=["budget_line", "spent_on", "amount_pence"], name="spend_line_day_amount"
            ),
            models.Index(fields=["spent_on", "id"], name="spend_latest_first"),
        ]
        constraints = [
            # Only a correcting entry (which reverses a reported one) is negative.
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0)
                | models.Q(reverses__isnull=False, amount_pence__lt=0),
                name="spend_positive_unless_correcting",
            ),
        ]

    def __str__(self) -> str:
        return f"{pounds_and_pence(self.amount_pence)} on {self.spent_on:%-d %B %Y}: {self.description}"[
            :300
        ]


class PlannedSpend(models.Model):
    """A budget line's spend profile: the amount planned for one quarter of the programme. A line's
    quarters add up to its budget exactly (checked by `services.money.save_profile`)."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="profile")
    quarter = models.PositiveSmallIntegerField(help_text="Quarter of the programme, from 1")
    amount_pence = models.BigIntegerField("planned (pence)")

    class Meta:
        ordering = ["budget_line", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["budget_line", "quarter"], name="planned_once"),
            models.CheckConstraint(
                condition=models.Q(amount_pence__gte=0), name="planned_not_negative"
            ),
        ]


class ChangeRecord(models.Model):
    """One change to a plan, milestone or money: who, when, and each field before and after.
    Written only by `history.record_change`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # None for the practice library, which belongs to no one programme
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=30)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=10)  # created, changed, removed, reversed
    changes = models.JSONField(default=dict)  # {field label: [before, after]} as text
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    username = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]


class EvidenceLevel(models.TextChoices):
    """How strong the evidence is that a practice works, on the scale of the evidence ratings in
    Foundations' Guidebook (the What Works Centre for Children & Families, formerly the Early
    Intervention Foundation): see docs/programme-dfe.md. "Not stated" is ours: the publisher has
    not said."""

    NOT_STATED = "not-stated", "Not stated"
    NOT_LEVEL_2 = "nl2", "Not level 2: evidence not yet enough for level 2"
    LEVEL_2 = "level-2", "Level 2: preliminary evidence"
    LEVEL_3 = "level-3", "Level 3: evidence of short-term impact"
    LEVEL_4 = "level-4", "Level 4: evidence of long-term impact"


class PracticeItem(models.Model):
    """Learning and innovative practice a partner publishes for everyone in the programme: a
    write-up tagged with the Ofsted areas it speaks to, optionally with an attachment, and linked
    from the engagements that used it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="practice_items", help_text="Publisher"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField()
    ofsted_areas = models.JSONField("Ofsted areas", default=list)
    tags = models.CharField(max_length=300, blank=True, help_text="Other keywords, comma separated")
    attachment = models.FileField(upload_to="practice/%Y/", blank=True)
    engagements = models.ManyToManyField(Engagement, blank=True, related_name="practice_used")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    is_demo = models.BooleanField(default=False)
    published_at = models.DateTimeField(auto_now_add=True)
    # A withdrawn item leaves the library's lists and search, but engagements that used it still
    # say it existed, when it was withdrawn and why (it is never deleted).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField("Reason withdrawn", blank=True)
    # The evidence level the publisher states, and the DfE's confirmation of it (who, when).
    # Stating a new level takes the confirmation away. Changed by services/practice_evidence.py.
    evidence_level = models.CharField(
        max_length=12, choices=EvidenceLevel.choices, default=EvidenceLevel.NOT_STATED
    )
    evidence_note = models.TextField(
        "Evidence", blank=True, help_text="The evaluations or studies the level rests on"
    )
    evidence_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence_confirmed_by_name = models.CharField(max_length=254, blank=True)
    evidence_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "practice item"

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def evidence_confirmed(self) -> bool:
        return self.evidence_confirmed_at is not None

    def area_labels(self) -> list[str]:
        labels = dict(OfstedArea.choices)
        return [str(labels.get(a, a)) for a in self.ofsted_areas]
