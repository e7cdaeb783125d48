"""A council's pseudonymisation key is made once for every machine, and the database alone does
not give it away. Each test tries to break one of those claims: a second machine (no key file),
two processes at once, a copy of the database, the wrong secret, a key moved to another council,
an old key file from before keys moved into the database."""

from __future__ import annotations

import importlib
import io
import threading

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections

from alliance.returns import council_keys
from alliance.returns.council_keys import KeysSecretMismatch
from alliance.returns.models import CouncilKey
from alliance.returns.services import stored_returns
from statutory.engine.pseudonym import child_pseudonym
from tests import factories

pytestmark = pytest.mark.django_db

OLD_KEY = b"3f" * 32  # 64 hexadecimal characters, as the old key files held


def test_made_once_and_the_same_on_a_machine_without_any_key_files(north, settings, tmp_path):
    key = council_keys.council_key(north.pk)
    assert len(key) == 64
    int(key, 16)
    # another machine: the same database, its own (empty) keys folder
    settings.KEYS_DIR = tmp_path / "another-machine-keys"
    assert council_keys.council_key(north.pk) == key
    assert CouncilKey.objects.filter(organisation=north).count() == 1
    assert not (tmp_path / "another-machine-keys").exists()  # nothing written to disk


def test_different_councils_have_different_keys(north):
    other = factories.council("393").organisation
    assert council_keys.council_key(north.pk) != council_keys.council_key(other.pk)
    assert stored_returns.pseudonymise_id(north, "ABC1") != stored_returns.pseudonymise_id(
        other, "ABC1"
    )


def test_two_processes_making_the_key_at_once_end_with_the_first_ones(north, monkeypatch):
    """The other process's row arrives between this one's look and its insert: the unique
    constraint refuses this one's, and it uses theirs."""
    theirs = council_keys.council_key(north.pk)
    real_filter = CouncilKey.objects.filter

    class NotYetThere:
        def first(self) -> None:
            return None

    monkeypatch.setattr(CouncilKey.objects, "filter", lambda **kw: NotYetThere())
    assert council_keys.council_key(north.pk) == theirs
    monkeypatch.setattr(CouncilKey.objects, "filter", real_filter)
    assert CouncilKey.objects.filter(organisation=north).count() == 1


def test_a_copy_of_the_database_does_not_hold_the_key(north):
    key = council_keys.council_key(north.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT wrapped FROM returns_councilkey")
        (stored,) = cursor.fetchone()
    stored = bytes(stored)
    assert key not in stored
    assert bytes.fromhex(key.decode()) not in stored
    dump = io.StringIO()
    call_command("dumpdata", "returns.councilkey", stdout=dump)
    assert key.decode() not in dump.getvalue()
    # and a pseudonym cannot be checked against the stored bytes used as a key
    assert child_pseudonym(stored, "ABC1") != child_pseudonym(key, "ABC1")


def test_the_wrong_secret_is_an_error_and_never_a_new_key(north, settings):
    council_keys.council_key(north.pk)
    row = CouncilKey.objects.get(organisation=north)
    settings.KEYS_SECRET = "another-secret-altogether-0123456789-abcdefghij"
    with pytest.raises(KeysSecretMismatch, match="ALLIANCE_KEYS_SECRET"):
        council_keys.council_key(north.pk)
    with pytest.raises(KeysSecretMismatch):
        stored_returns.pseudonymise_id(north, "ABC1")
    assert list(CouncilKey.objects.filter(organisation=north)) == [row]
    assert bytes(CouncilKey.objects.get(organisation=north).wrapped) == bytes(row.wrapped)


def test_a_key_moved_to_another_council_does_not_open(north):
    other = factories.council("393").organisation
    council_keys.council_key(north.pk)
    council_keys.council_key(other.pk)
    norths = CouncilKey.objects.get(organisation=north).wrapped
    CouncilKey.objects.filter(organisation=other).update(wrapped=norths)
    with pytest.raises(KeysSecretMismatch):
        council_keys.council_key(other.pk)


def test_an_altered_stored_key_does_not_open(north):
    council_keys.council_key(north.pk)
    row = CouncilKey.objects.get(organisation=north)
    flipped = bytearray(bytes(row.wrapped))
    flipped[-1] ^= 1
    CouncilKey.objects.filter(pk=row.pk).update(wrapped=bytes(flipped))
    with pytest.raises(KeysSecretMismatch):
        council_keys.council_key(north.pk)


def _old_key_file(organisation_id: int) -> None:
    path = council_keys.key_file(organisation_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(OLD_KEY + b"\n")


def test_an_old_key_file_is_taken_on_first_use_so_pseudonyms_stay_the_same(north):
    _old_key_file(north.pk)
    assert council_keys.council_key(north.pk) == OLD_KEY
    assert stored_returns.pseudonymise_id(north, "ABC1") == child_pseudonym(OLD_KEY, "ABC1")
    council_keys.key_file(north.pk).unlink()  # the file is not needed once stored
    assert council_keys.council_key(north.pk) == OLD_KEY


def test_the_upgrade_imports_every_old_key_file(north):
    other = factories.council("393").organisation
    _old_key_file(north.pk)
    migration = importlib.import_module("alliance.returns.migrations.0004_council_keys")
    migration.import_key_files(apps, None)
    assert council_keys.council_key(north.pk) == OLD_KEY
    assert not CouncilKey.objects.filter(organisation=other).exists()  # no file, no row yet


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables between threads instead of "
    "waiting: run with scripts/with-postgres.sh",
)
# Committed for real, so only the returns app's tables are emptied afterwards (the reference data
# and the append-only audit log are left alone); the test writes to no other table.
@pytest.mark.django_db(transaction=True, available_apps=["alliance.returns"])
def test_six_processes_making_the_first_key_at_once_get_one_key(reference_data, monkeypatch):
    """Every thread (each with its own database connection, like a machine) has looked and found
    no key before any of them inserts: the unique row decides, and the others read its key."""
    north = factories.council("392").organisation
    count = 6
    barrier = threading.Barrier(count, timeout=30)
    wrap = council_keys.wrap

    def wrap_together(key: bytes, organisation_id: int, secret: str | None = None) -> bytes:
        barrier.wait()  # every thread is past its look and about to insert
        return wrap(key, organisation_id, secret)

    monkeypatch.setattr(council_keys, "wrap", wrap_together)
    found: list[bytes] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            found.append(council_keys.council_key(north.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=make) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(found) == count
    assert len(set(found)) == 1
    assert CouncilKey.objects.filter(organisation=north).count() == 1
    assert council_keys.council_key(north.pk) == found[0]
