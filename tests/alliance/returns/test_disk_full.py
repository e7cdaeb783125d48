"""Fault: the disk holding the service's files fills up. The service's folder is put on a small
real file system of its own (tmpfs, so the test needs root, as CI has; elsewhere it is skipped
with the reason), then filled: a return being stored is not stored, nothing half-written is left,
the council's last accepted return stays its data, the upload says why, and once there is room the
same upload is checked again and accepted. An upload that arrives on a full disk is refused with
the same plain words and nothing of it is kept."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance.accounts.models import Role
from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.services import checking, stored_returns, uploading
from tests import factories
from tests.alliance.returns.factories import YEAR, csv_files, ssda903_folders, upload_903

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_disk(tmp_path: Path, settings) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    mount = tmp_path / "small-disk"
    mount.mkdir()
    made = subprocess.run(
        ["/usr/bin/mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode:
        pytest.skip(f"cannot mount a small file system here (needs root): {made.stderr.strip()}")
    settings.VAR_DIR = mount
    try:
        yield mount
    finally:
        subprocess.run(["/usr/bin/umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Fill the disk to the last byte."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            pass
    return filler


def _leftovers(disk: Path) -> list[str]:
    return sorted(str(p.relative_to(disk)) for p in disk.rglob("*.part"))


def test_a_return_stored_on_a_full_disk_keeps_the_last_one(small_disk, generated, reference_data):
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    earlier = upload_903(north, analyst, generated, with_previous=False)
    assert checking.check(earlier.pk, "t1") == "accepted"
    before = stored_returns.latest_tables(north, "ssda903", YEAR)["Episodes"]

    later = upload_903(north, analyst, generated, seed=4, with_previous=False)
    filler = _fill(small_disk)
    assert checking.check(later.pk, "t2") == "failed"
    later.refresh_from_db()
    assert later.status == Upload.Status.FAILED
    assert later.problem == storage.NO_ROOM_TO_STORE
    assert _leftovers(small_disk) == []
    assert not storage.store_dir(north.pk, "ssda903", YEAR, later.pk).exists()
    kept = stored_returns.latest_tables(north, "ssda903", YEAR)["Episodes"]
    assert kept.equals(before), "the last accepted return must stay the council's data"

    filler.unlink()
    assert uploading.retry(later)
    assert checking.check(later.pk, "t3") == "accepted"


def test_an_upload_arriving_on_a_full_disk_is_refused_and_nothing_kept(
    small_disk, generated, reference_data
):
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    folder, _ = ssda903_folders(generated, seed=5)
    _fill(small_disk)
    with pytest.raises(storage.UploadProblem) as refused:
        uploading.start_upload(
            organisation=north, user=analyst, kind="ssda903", year=YEAR, current=csv_files(folder)
        )
    assert str(refused.value) == storage.NO_ROOM_TO_RECEIVE
    assert not Upload.objects.exists()
    incoming = small_disk / "returns" / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []
