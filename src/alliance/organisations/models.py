"""Organisations people work for: councils, alliances of councils, the DfE, and employers.

Councils come from the public reference data (`alliance load-reference`); alliances, the DfE and
employers are created in the service.
"""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """A DfE region (London is split into Inner and Outer London, as the DfE publishes it)."""

    code = models.CharField(max_length=9, unique=True, help_text="ONS region code, e.g. E12000001")
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        ALLIANCE = "alliance", "Alliance"
        DFE = "dfe", "Department for Education"
        EMPLOYER = "employer", "Employer"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_council(self) -> bool:
        return self.kind == self.Kind.COUNCIL


class CouncilType(models.TextChoices):
    LONDON_BOROUGH = "london-borough", "London borough"
    METROPOLITAN_DISTRICT = "metropolitan-district", "Metropolitan district"
    UNITARY_AUTHORITY = "unitary-authority", "Unitary authority"
    COUNTY = "county", "County council"


class Council(models.Model):
    """An English local authority with children's-services duties (153 of them)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="council"
    )
    dfe_code = models.CharField(
        "DfE code", max_length=3, unique=True, help_text="3-digit DfE LA code, e.g. 392"
    )
    ons_code = models.CharField("ONS code", max_length=9, unique=True, help_text="e.g. E08000022")
    name = models.CharField(max_length=200, help_text="Name in the DfE's spelling")
    ofsted_name = models.CharField(max_length=200, help_text="Name in Ofsted's spelling")
    council_type = models.CharField(max_length=30, choices=CouncilType.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="councils")
    ofsted_region = models.CharField(max_length=100, blank=True)
    ofsted_urn = models.CharField("Ofsted URN", max_length=10, blank=True)
    children_0_17 = models.PositiveIntegerField("children aged 0 to 17", null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Grid reference of the council's area (mean of its postcodes), for distances between councils.
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatisticalNeighbour(models.Model):
    """One of a council's ten ranked statistical neighbours in a DfE model (e.g. '2025')."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="neighbour_links")
    neighbour = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=10, default="2025")
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["council", "model", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "model", "rank"], name="one_neighbour_per_rank"
            ),
            models.UniqueConstraint(
                fields=["council", "model", "neighbour"], name="neighbour_once_per_model"
            ),
        ]


class AllianceMember(models.Model):
    """A council that belongs to an alliance (e.g. North and South Tyneside in the Tyneside Alliance)."""

    alliance = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="alliance_members",
        limit_choices_to={"kind": Organisation.Kind.ALLIANCE},
    )
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="alliance_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "council"], name="council_once_per_alliance"
            )
        ]


class AllianceMembership(models.Model):
    """A council's time with an alliance, as a partner (one of its member councils) or as a
    council it supports, from one date to another. The history is kept; a partner's current
    membership is also an AllianceMember row (what the rest of the service reads as the alliance's
    councils today). A supported council never becomes an AllianceMember: supporting a council
    gives the alliance no reach into its records."""

    class Kind(models.TextChoices):
        PARTNER = "partner", "Partner"
        SUPPORTED = "supported", "Supported"

    alliance = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="membership_history",
        limit_choices_to={"kind": Organisation.Kind.ALLIANCE},
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField("from")
    ends_on = models.DateField("to", null=True, blank=True)

    class Meta:
        ordering = ["alliance", "council__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.council} – {self.get_kind_display()}, {self.alliance}"


class ReferenceLoad(models.Model):
    """One run of `alliance load-reference`: when, what it found, and a fingerprint of the files and
    loaders, so that `--if-changed` can skip a load that would change nothing."""

    fingerprint = models.CharField(max_length=64, db_index=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField()

    class Meta:
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"


class SingleSignOn(models.Model):
    """An organisation's own sign-in service (an OpenID Connect provider such as Microsoft Entra
    ID), through which its people may sign in. It proves who a person is, and nothing more: their
    organisation and role always come from their Membership in this service.

    The client secret is kept encrypted (`alliance.organisations.single_sign_on`), never shown
    back, and its value never goes into the audit log."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    enabled = models.BooleanField(default=True)
    issuer = models.URLField(
        "issuer URL",
        max_length=300,
        help_text="e.g. https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = models.CharField("client ID", max_length=200)
    # Encrypted with a key derived from the service's secret key; named `secret` so that every
    # audit of a change to it (including the admin site's) records only that it changed.
    secret = models.TextField(blank=True)
    email_domains = models.TextField(
        help_text="The email domains people of this organisation use, one a line"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "single sign-on"

    def __str__(self) -> str:
        return f"Single sign-on for {self.organisation}"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split() if d.strip()]

    def accepts(self, email: str) -> bool:
        """Is this address in one of the organisation's email domains?"""
        _, at, domain = email.strip().lower().rpartition("@")
        return bool(at) and domain in self.domains
