"""Each council's pseudonymisation key: made once, kept in the database, encrypted.

A child's id in a stored return is replaced by a keyed pseudonym (HMAC-SHA256 with the council's
key, `statutory.engine.pseudonym`). Every return of a council must use the same key, or the same
child gets different pseudonyms in different years and nothing links them. So:

- The key is a row of `CouncilKey`, one per organisation (a unique constraint), which every web and
  worker machine reads. Two processes making it at once: one insert wins, the other reads the
  winner's.
- The row holds the key encrypted with AES-256-GCM under a key derived from
  `settings.KEYS_SECRET` (`ALLIANCE_KEYS_SECRET`), which is never in the database; the organisation
  is bound in as associated data, so a row's key cannot be moved to another council. A copy of the
  database alone reveals no key.
- A secret that does not open a stored key is an error, never a reason to make a new key.
- Keys kept as files before (`KEYS_DIR/organisation-<id>.key`) are imported as they are, by the
  migration that made this table and on first use, so pseudonyms made with them stay the same.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from alliance.returns.models import CouncilKey

NONCE_BYTES = 12


class KeysSecretMismatch(ImproperlyConfigured):
    """The configured ALLIANCE_KEYS_SECRET cannot open a council's stored key."""


def _wrapping_key(secret: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"alliance council keys v1"
    ).derive(secret.encode())


def _associated_data(organisation_id: int) -> bytes:
    return f"organisation-{organisation_id}".encode()


def wrap(key: bytes, organisation_id: int, secret: str | None = None) -> bytes:
    """The key encrypted for storage: a random nonce, then the ciphertext and its tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_wrapping_key(secret or settings.KEYS_SECRET)).encrypt(
        nonce, key, _associated_data(organisation_id)
    )
    return nonce + sealed


def unwrap(wrapped: bytes, organisation_id: int, secret: str | None = None) -> bytes:
    try:
        return AESGCM(_wrapping_key(secret or settings.KEYS_SECRET)).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _associated_data(organisation_id)
        )
    except InvalidTag:
        raise KeysSecretMismatch(
            f"The pseudonymisation key of organisation {organisation_id} cannot be opened with "
            "ALLIANCE_KEYS_SECRET: it is not the secret the key was stored with (or the stored key "
            "has been altered). Set the secret this database's keys were made with; no new key is "
            "made, because one would give the council's children new pseudonyms."
        ) from None


def key_file(organisation_id: int) -> Path:
    """Where the key was kept before keys moved into the database."""
    return Path(settings.KEYS_DIR) / f"organisation-{organisation_id}.key"


def _key_from_file(organisation_id: int) -> bytes | None:
    path = key_file(organisation_id)
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        return None
    return key or None


def council_key(organisation_id: int) -> bytes:
    """The council's pseudonymisation key (64 hexadecimal characters, as bytes), made on first
    use, or imported from the council's old key file if this machine has one."""
    stored = CouncilKey.objects.filter(organisation_id=organisation_id).first()
    if stored is not None:
        return unwrap(bytes(stored.wrapped), organisation_id)
    key = _key_from_file(organisation_id) or secrets.token_hex(32).encode()
    try:
        with transaction.atomic():
            CouncilKey.objects.create(
                organisation_id=organisation_id, wrapped=wrap(key, organisation_id)
            )
    except IntegrityError:
        # made by another process at the same moment: theirs is the council's key
        stored = CouncilKey.objects.get(organisation_id=organisation_id)
        return unwrap(bytes(stored.wrapped), organisation_id)
    return key
