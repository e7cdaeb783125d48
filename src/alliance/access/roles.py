"""The roles a person can have in an organisation. They live with the access policy, which decides
from them, and hold no models, so the policy can be imported before the app registry is ready;
`alliance.accounts.models.Membership` stores one per person and organisation."""

from django.db import models


class Role(models.TextChoices):
    """What a person does for an organisation. Access is decided from these in `alliance.access.policy`."""

    COUNCIL_ANALYST = "council-analyst", "Council analyst"
    COUNCIL_PRACTITIONER = "council-practitioner", "Council practitioner"
    COUNCIL_LEADER = "council-leader", "Council leader"
    ALLIANCE_LEAD = "alliance-lead", "Alliance lead"
    DFE_ANALYST = "dfe-analyst", "DfE analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    ORGANISATION_ADMINISTRATOR = "organisation-administrator", "Organisation administrator"
    EMPLOYER = "employer", "Employer"
    YOUNG_PERSON = "young-person", "Young person"
