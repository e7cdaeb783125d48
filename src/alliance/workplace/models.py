"""WorkPlace: South Tyneside's service helping care leavers into education, employment and training.

Young people's records, advisers' work with them and the pipeline of referrals belong to the council
(`organisation`); employers' opportunities belong to the employer (`employer`) and are offered
through a council's WorkPlace (`council`), so advisers reach them through `council` and the
employer through `employer` (see `alliance.access.policy.visible_to(..., via=...)`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from alliance.organisations.models import Organisation
from alliance.workplace.wording import birthday_label

# Words the adviser, the young person and the employer share, so interests and skills can match.
INTERESTS = [
    ("construction", "Construction and trades"),
    ("care", "Care and health"),
    ("hospitality", "Hospitality and catering"),
    ("retail", "Retail and customer service"),
    ("digital", "Digital and IT"),
    ("engineering", "Engineering and manufacturing"),
    ("creative", "Creative arts and media"),
    ("business", "Business and administration"),
    ("sport", "Sport and leisure"),
    ("logistics", "Maritime, transport and logistics"),
    ("beauty", "Hair and beauty"),
    ("animals", "Animal care and land"),
    ("public", "Public services"),
]
SKILLS = [
    ("driving", "Full driving licence"),
    ("cscs", "CSCS card"),
    ("food-hygiene", "Food hygiene certificate"),
    ("customer", "Customer service experience"),
    ("english", "English GCSE grade 4 or above"),
    ("maths", "Maths GCSE grade 4 or above"),
    ("first-aid", "First aid certificate"),
    ("it", "Computer skills"),
    ("forklift", "Forklift licence"),
    ("teamwork", "Teamwork"),
]
BARRIERS = [
    ("transport", "Transport"),
    ("childcare", "Childcare"),
    ("health", "Health, including mental health"),
    ("housing", "Housing"),
    ("money", "Money and debt"),
    ("confidence", "Confidence"),
]
SUPPORT = [
    ("interview", "Guaranteed interview"),
    ("mentor", "A workplace mentor or buddy"),
    ("travel", "Travel costs paid"),
    ("flexible", "Flexible hours"),
    ("kit", "Work clothing and kit provided"),
    ("bursary", "Help applying for the care leaver bursary"),
]


def bits(values: list[str] | None, vocabulary: list[tuple[str, str]]) -> int:
    """The chosen words as one integer, a bit per word of the vocabulary: matching compares
    interests, skills and support with bitwise AND instead of decoding JSON for every row."""
    keys = [key for key, _ in vocabulary]
    return sum(1 << keys.index(v) for v in set(values or ()) if v in keys)


def words(value: int, vocabulary: list[tuple[str, str]]) -> list[str]:
    """The labels of the words whose bits are set, in vocabulary order."""
    return [label for i, (_key, label) in enumerate(vocabulary) if value >> i & 1]


class Hours(models.TextChoices):
    FULL_TIME = "full-time", "Full time"
    PART_TIME = "part-time", "Part time"
    EITHER = "either", "Full or part time"


class Adviser(models.Model):
    """A council practitioner working for WorkPlace as a personal adviser or a careers adviser."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal adviser"
        CAREERS = "careers", "Careers adviser"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workplace_advisers"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workplace_advisers"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Shown to their young people with the adviser's name and email, so they can get in touch.
    phone = models.CharField(max_length=30, blank=True, help_text="Work phone number")

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "kind"], name="workplace_adviser_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.get_kind_display().lower()})"


class YoungPerson(models.Model):
    """A care leaver (or a looked-after young person about to leave care) WorkPlace supports."""

    class LegalStatus(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible (aged 16 or 17, still looked after)"
        RELEVANT = "relevant", "Relevant (aged 16 or 17, left care)"
        FORMER_RELEVANT = "former-relevant", "Former relevant (aged 18 to 25)"
        QUALIFYING = "qualifying", "Qualifying"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workplace_young_people"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="young_person",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    legal_status = models.CharField(max_length=20, choices=LegalStatus.choices)
    personal_adviser = models.ForeignKey(
        Adviser, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    careers_adviser = models.ForeignKey(
        Adviser, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pathway_plan_started = models.DateField(null=True, blank=True)
    pathway_plan_reviewed = models.DateField(null=True, blank=True)
    # SSDA903 OC3 codes, as the return records them (validated against the schema code lists).
    in_touch = models.CharField(max_length=4, blank=True)
    activity = models.CharField(max_length=2, blank=True)
    accommodation = models.CharField(max_length=2, blank=True)
    qualifications = models.TextField(blank=True)
    interests = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    barriers = models.JSONField(default=list, blank=True)
    # The same three lists as bits (see `bits`), kept in step by save().
    interest_bits = models.BigIntegerField(default=0, editable=False)
    skill_bits = models.BigIntegerField(default=0, editable=False)
    barrier_bits = models.BigIntegerField(default=0, editable=False)
    postcode = models.CharField(max_length=8)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    max_travel_miles = models.PositiveSmallIntegerField(default=10)
    hours = models.CharField(max_length=20, choices=Hours.choices, default=Hours.EITHER)
    consent_to_share = models.BooleanField(default=False)
    consent_recorded = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "first_name", "last_name", "date_of_birth"],
                name="workplace_young_person_once",
            )
        ]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def name(self) -> str:
        return str(self)

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: DJ012 - beside set_bits
        self.set_bits()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "interest_bits", "skill_bits", "barrier_bits"}
        super().save(*args, **kwargs)

    def set_bits(self) -> None:
        self.interest_bits = bits(self.interests, INTERESTS)
        self.skill_bits = bits(self.skills, SKILLS)
        self.barrier_bits = bits(self.barriers, BARRIERS)

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(dt.date.today())


class CareLeaverInfo(models.Model):
    """The care-leaver information recorded around a birthday from 17 to 21 (SSDA903 OC3):
    in touch, main activity and accommodation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="care_leaver_info"
    )
    birthday = models.PositiveSmallIntegerField(help_text="The birthday this is recorded for")
    recorded_on = models.DateField()
    in_touch = models.CharField(max_length=4)
    activity = models.CharField(max_length=2)
    accommodation = models.CharField(max_length=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["young_person", "birthday"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "birthday"], name="workplace_info_once_per_birthday"
            )
        ]

    @property
    def birthday_label(self) -> str:
        """ "21st birthday", "22nd birthday"."""
        return birthday_label(self.birthday)


class PathwayPlanReview(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="pathway_reviews"
    )
    reviewed_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reviewed_on"]


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="appointments"
    )
    adviser = models.ForeignKey(Adviser, on_delete=models.SET_NULL, null=True, blank=True)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    notes = models.TextField(blank=True, help_text="Session notes")

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["young_person", "starts_at"])]


class Goal(models.Model):
    """One goal in a young person's action plan."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not-started", "Not started"
        IN_PROGRESS = "in-progress", "In progress"
        DONE = "done", "Done"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(max_length=300)
    due = models.DateField()
    progress = models.CharField(
        max_length=20, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]


class LocalOfferItem(models.Model):
    """One entry in the council's Local Offer for care leavers."""

    class Category(models.TextChoices):
        MONEY = "money", "Money"
        HOUSING = "housing", "Housing"
        EDUCATION = "education", "Education and training"
        WORK = "work", "Work"
        HEALTH = "health", "Health and wellbeing"
        RIGHTS = "rights", "Your rights"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workplace_local_offer"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    who_can_get_it = models.CharField(max_length=300)
    how_to_get_it = models.CharField(max_length=300)

    class Meta:
        ordering = ["category", "title"]


class StatusLetter(models.Model):
    """A letter confirming care-leaver status (for the apprenticeship care leaver bursary): each
    one issued is kept, so the council knows what it confirmed, to whom and when."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="status_letters"
    )
    reference = models.CharField(max_length=30, unique=True)
    addressed_to = models.CharField(max_length=200)
    legal_status = models.CharField(max_length=20, choices=YoungPerson.LegalStatus.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Care leaver status letter {self.reference}"


class EmployerProfile(models.Model):
    """An employer (an Organisation of kind employer) working with a council's WorkPlace.

    A business that registers itself starts *pending*: its people can sign in but cannot post
    until the council's WorkPlace team approves it (or declines it, with a reason)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="employer_profile"
    )
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=30, choices=INTERESTS)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    # The kinds of opportunity (Opportunity.Kind values) the business says it can offer.
    offers = models.JSONField(default=list, blank=True)
    pledge = models.TextField(blank=True, help_text="What the employer has pledged to care leavers")
    pledged_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    registered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the business registered itself (empty if the council added it)",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation__name"]
        indexes = [models.Index(fields=["council", "status"])]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def approved(self) -> bool:
        return self.status == self.Status.APPROVED


class RegistrationAttempt(models.Model):
    """Each time someone submits the public 'Register your business' form, so that one
    connection cannot flood the council's WorkPlace team with registrations."""

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # "registered", "duplicate", "trap", "limited", or "contact-step" (an answer to the contact
    # question, limited separately)
    outcome = models.CharField(max_length=20)

    class Meta:
        ordering = ["-at"]


class Opportunity(models.Model):
    class Kind(models.TextChoices):
        JOB = "job", "Job"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship"
        TRAINEESHIP = "traineeship", "Traineeship"
        WORK_EXPERIENCE = "work-experience", "Work experience"
        MENTORING = "mentoring", "Mentoring"
        COURSE = "course", "Training course"

    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workplace_opportunities"
    )
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()
    places = models.PositiveSmallIntegerField(default=1)
    postcode = models.CharField(max_length=8)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField()
    pay_pence_per_hour = models.PositiveIntegerField(null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(default=16)
    max_age = models.PositiveSmallIntegerField(default=25)
    eligibility = models.TextField(blank=True)
    interests = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    support = models.JSONField(default=list, blank=True)
    interest_bits = models.BigIntegerField(default=0, editable=False)
    skill_bits = models.BigIntegerField(default=0, editable=False)
    support_bits = models.BigIntegerField(default=0, editable=False)
    closing_date = models.DateField()
    # Closed early by the employer: `closing_date` becomes the day before, so every "open"
    # query stays one indexed comparison, and the advertised date is kept here for reopening.
    closed_early_on = models.DateField(null=True, blank=True)
    advertised_closing_date = models.DateField(null=True, blank=True)
    # Closed because every place was filled (set with `closed_early_on`): a place freed again,
    # say a start corrected back, reopens it.
    filled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["closing_date", "title"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["council", "closing_date"]),
            models.Index(fields=["employer", "closing_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_bits()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "interest_bits", "skill_bits", "support_bits"}
        super().save(*args, **kwargs)

    def set_bits(self) -> None:
        self.interest_bits = bits(self.interests, INTERESTS)
        self.skill_bits = bits(self.skills, SKILLS)
        self.support_bits = bits(self.support, SUPPORT)

    @property
    def is_open(self) -> bool:
        return self.closing_date >= dt.date.today()

    @property
    def hours(self) -> str:
        return Hours.FULL_TIME if self.hours_per_week >= 30 else Hours.PART_TIME

    @property
    def can_reopen(self) -> bool:
        """Closed early, not because every place is filled, and the advertised closing date
        has not passed."""
        return (
            self.closed_early_on is not None
            and self.filled_on is None
            and self.advertised_closing_date is not None
            and self.advertised_closing_date >= dt.date.today()
        )


class Referral(models.Model):
    """A young person on the way into an opportunity: the pipeline from a suggestion to a job
    sustained for six months, with the date each stage was reached."""

    class Stage(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        INTERESTED = "interested", "Interested"
        APPLIED = "applied", "Applied"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        STARTED = "started", "Started"
        SUSTAINED_3 = "sustained-3", "Sustained 3 months"
        SUSTAINED_6 = "sustained-6", "Sustained 6 months"
        ENDED = "ended", "Ended"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="referrals"
    )
    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="referrals")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SUGGESTED)
    # The date each stage was reached: {"suggested": "2026-03-01", ...}
    stage_dates = models.JSONField(default=dict)
    # Stages taken back as recorded by mistake, oldest first:
    # [{"stage": "sustained-3", "dated": "2026-12-04", "reason": "...", "by": "...", "on": "..."}]
    corrections = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "opportunity"], name="workplace_referral_once"
            )
        ]

    def date_of(self, stage: str) -> dt.date | None:
        value = self.stage_dates.get(stage)
        return dt.date.fromisoformat(value) if value else None


class GroupSession(models.Model):
    """Aspiration work with looked-after children aged 13 and over, in schools or with foster
    carers."""

    class Setting(models.TextChoices):
        SCHOOL = "school", "School"
        FOSTER_CARERS = "foster-carers", "Foster carers"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workplace_group_sessions"
    )
    title = models.CharField(max_length=200)
    setting = models.CharField(max_length=20, choices=Setting.choices)
    venue = models.CharField(max_length=200)
    held_on = models.DateField()
    led_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["-held_on"]


class GroupAttendee(models.Model):
    class Kind(models.TextChoices):
        YOUNG_PERSON = "young-person", "Looked-after young person"
        FOSTER_CARER = "foster-carer", "Foster carer"
        STAFF = "staff", "School or council staff"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "name"]


class DutyReminder(models.Model):
    """One duty put in a personal adviser's reminder email on one day: the record that stops a
    second run of the daily task sending the same duty again that day."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    adviser = models.ForeignKey(Adviser, on_delete=models.CASCADE, related_name="reminders")
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="duty_reminders"
    )
    duty = models.CharField(max_length=60)  # e.g. "review", "info-18", "missed-1234"
    what = models.CharField(max_length=200)
    due = models.DateField()
    sent_on = models.DateField()
    sent_to = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "due"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "duty", "sent_on"], name="workplace_reminder_once_a_day"
            )
        ]
