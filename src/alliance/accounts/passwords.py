"""How passwords are stored: Argon2id with the first of OWASP's recommended settings (46 MiB of
memory, one pass, one lane), rather than Django's heavier default (100 MiB, two passes, eight lanes).

Each setting OWASP lists is of equal strength against guessing on special hardware; this one takes
about a quarter of the processor time of Django's default, which on a small server (two cores) keeps
a morning's sign-ins from holding up everybody else's pages. Stored hashes made with other settings
still verify, and Django re-stores each one with these settings the next time its person signs in.
OWASP Password Storage Cheat Sheet, "Argon2id": m=47104 (46 MiB), t=1, p=1.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting. Keeps Django's algorithm name ("argon2"), so
    hashes made by Django's own Argon2 hasher are read by this one and upgraded on sign-in."""

    time_cost = 1
    memory_cost = 47_104  # KiB: 46 MiB
    parallelism = 1
