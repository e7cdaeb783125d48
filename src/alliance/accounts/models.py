"""People, the organisations they work for, and the role they have in each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from alliance.access.roles import Role
from alliance.organisations.models import Organisation

__all__ = ["Membership", "PasswordLinkRequest", "Role", "SignInAttempt", "SignedInSession", "User"]


class User(AbstractUser):
    """A person who signs in. Sign-in name is their email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    # The account at an organisation's single sign-on provider this person signs in with, linked
    # on their first sign-in through it: later sign-ins match on the issuer and subject, never on
    # the email address alone (an address can be given to someone else; a subject is not).
    sso_issuer = models.CharField("single sign-on issuer", max_length=300, blank=True)
    sso_subject = models.CharField("single sign-on subject", max_length=255, blank=True)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["full_name", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["sso_issuer", "sso_subject"],
                condition=~models.Q(sso_subject=""),
                name="one_account_per_sso_subject",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Membership(models.Model):
    """A person's role in one organisation. A person may belong to several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_role_once_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"


class SignInAttempt(models.Model):
    """Every sign-in attempt, kept to lock out repeated failures and for investigation."""

    username = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]


class PasswordLinkRequest(models.Model):
    """A request for a 'reset your password' email, kept to limit how often one connection or one
    address may ask (whether or not the address has an account)."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]


class SignedInSession(models.Model):
    """One sign-in's session, so a person can see where they are signed in and sign out of all
    of them, and an administrator's deactivation can end them at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_in_at"]
