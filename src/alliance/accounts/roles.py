"""The roles a person can have in an organisation (no models here, so the access policy can be
imported before the app registry is ready)."""

from django.db import models


class Role(models.TextChoices):
    """What a person does for an organisation. Access is decided from these in `alliance.access`."""

    COUNCIL_ANALYST = "council-analyst", "Council analyst"
    COUNCIL_PRACTITIONER = "council-practitioner", "Council practitioner"
    COUNCIL_LEADER = "council-leader", "Council leader"
    ALLIANCE_LEAD = "alliance-lead", "Alliance lead"
    DFE_ANALYST = "dfe-analyst", "DfE analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    ORGANISATION_ADMINISTRATOR = "organisation-administrator", "Organisation administrator"
    EMPLOYER = "employer", "Employer"
    YOUNG_PERSON = "young-person", "Young person"
