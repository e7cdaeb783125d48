"""Two uploads at once and interrupted ones: a clear refusal, nothing half-stored, and the council's
last accepted version still the one every caller reads. Each test is built so that it fails when
the guard it is about is taken away (the pre-check alone, a folder written in place, reading
versions that are not accepted)."""

from __future__ import annotations

import threading

import polars as pl
import pytest
from django.db import connection

from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.services import checking, stored_returns, uploading
from alliance.returns.storage import UploadProblem
from tests import factories
from tests.alliance.returns.factories import YEAR, accepted_903, ssda903_folders, upload_903


class _Broken:
    """An uploaded file whose connection drops after its first chunk."""

    name = "episodes.csv"

    def chunks(self, chunk_size: int | None = None):  # type: ignore[no-untyped-def]
        yield b"CHILD,DECOM\n1,01/04/2025\n"
        raise OSError("connection reset by peer")


@pytest.fixture
def accepted(north, analyst, generated):  # type: ignore[no-untyped-def]
    accepted_903(north, analyst, generated)
    return north, analyst, stored_returns.latest_tables(north, "ssda903", YEAR)


def _left_behind() -> list[str]:
    incoming = storage.root() / "incoming"
    return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []


def _same(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> bool:
    return before.keys() == after.keys() and all(before[k].equals(after[k]) for k in before)


@pytest.mark.django_db
def test_two_uploads_that_both_pass_the_first_check_are_decided_by_the_database(
    accepted, generated, monkeypatch
):
    """Two requests can both see "nothing running" before either records its upload; the
    unique constraint then refuses the second, and it leaves nothing behind."""
    north, analyst, before = accepted
    second = upload_903(north, analyst, generated, seed=4)
    monkeypatch.setattr(Upload.objects, "running", Upload.objects.none)
    with pytest.raises(UploadProblem, match="already being checked"):
        upload_903(north, analyst, generated, seed=5)
    assert Upload.objects.filter(organisation=north).count() == 2
    assert _left_behind() == [str(second.pk)]
    assert _same(before, stored_returns.latest_tables(north, "ssda903", YEAR))


@pytest.mark.django_db
def test_an_upload_interrupted_halfway_leaves_nothing_and_the_last_version(accepted):
    north, analyst, before = accepted
    with pytest.raises(OSError, match="reset"):
        uploading.start_upload(
            organisation=north, user=analyst, kind="ssda903", year=YEAR, current=[_Broken()]
        )
    assert Upload.objects.filter(organisation=north).count() == 1
    assert _left_behind() == []
    assert _same(before, stored_returns.latest_tables(north, "ssda903", YEAR))


@pytest.mark.django_db
def test_a_check_interrupted_while_storing_leaves_the_last_version(
    accepted, generated, monkeypatch
):
    """The disk fills (or the worker is stopped) half-way through writing the new version:
    the upload fails, no part of its version is left, and the last accepted one stays."""
    north, analyst, before = accepted
    upload = upload_903(north, analyst, generated, seed=4)
    written = []
    real = pl.DataFrame.write_parquet

    def fill_up(frame, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "store" in str(path) and len(written) >= 2:
            raise OSError(28, "No space left on device")
        written.append(path)
        return real(frame, path, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", fill_up)
    assert checking.check(upload.pk, "b") == "failed"
    upload.refresh_from_db()
    assert upload.status == Upload.Status.FAILED
    assert upload.problem == storage.NO_ROOM_TO_STORE
    folder = storage.store_dir(north.pk, "ssda903", YEAR, upload.pk)
    assert not folder.exists()
    assert not folder.with_name(folder.name + ".part").exists()
    assert _same(before, stored_returns.latest_tables(north, "ssda903", YEAR))


@pytest.mark.django_db
def test_a_worker_stopped_before_accepting_leaves_the_last_version(
    accepted, generated, monkeypatch
):
    """A worker killed after writing the new version but before marking it accepted: callers
    still read the last accepted version, and the next run takes the upload over."""
    north, analyst, before = accepted
    upload = upload_903(north, analyst, generated, seed=4)

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("worker stopped")

    with monkeypatch.context() as patch:
        patch.setattr(checking, "_finish", killed)
        with pytest.raises(SystemExit):
            checking.check(upload.pk, "b")
    upload.refresh_from_db()
    assert upload.status == Upload.Status.CHECKING
    assert storage.store_dir(north.pk, "ssda903", YEAR, upload.pk).exists()
    assert _same(before, stored_returns.latest_tables(north, "ssda903", YEAR))
    Upload.objects.filter(pk=upload.pk).update(heartbeat_at=None)  # its heartbeat has stopped
    assert checking.check(upload.pk, "c") == "accepted"
    assert not _same(before, stored_returns.latest_tables(north, "ssda903", YEAR))


# Committed for real, so only the tables of these apps are emptied afterwards (the reference
# data and the append-only audit log are left alone); the test writes nothing to any other.
@pytest.mark.django_db(transaction=True, available_apps=["alliance.returns", "django_tasks_db"])
def test_two_uploads_at_the_same_moment_on_postgresql(reference_data, generated, monkeypatch):
    """Two threads, two database connections, released together after both have passed the
    first check: one upload is recorded, the other refused, nothing else left behind."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections (run under scripts/with-postgres.sh)")
    north = factories.council("392").organisation
    analyst = None  # a person would be a row in another app's table
    ssda903_folders(generated, seed=4)
    ssda903_folders(generated, seed=5)
    together = threading.Barrier(2, timeout=30)
    real_receive = storage.receive

    def receive_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        got = real_receive(*args, **kwargs)
        if args[1].name == "current":
            together.wait()
        return got

    monkeypatch.setattr(storage, "receive", receive_then_wait)
    outcomes: list[object] = []

    def send(seed: int) -> None:
        try:
            outcomes.append(upload_903(north, analyst, generated, seed=seed))
        except Exception as exc:  # the outcome is what the test looks at
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(seed,)) for seed in (4, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [o for o in outcomes if isinstance(o, Upload)]
    refused = [o for o in outcomes if isinstance(o, UploadProblem)]
    assert len(made) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert Upload.objects.filter(organisation=north).count() == 1
    assert _left_behind() == [str(made[0].pk)]
