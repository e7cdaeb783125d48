"""Returns for tests: synthetic SSDA903 and CIN files written by the statutory library's own
generators, wrapped as uploaded files, and uploaded (and checked) as a council's analyst would."""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.returns.models import Upload
from alliance.returns.services import checking, uploading
from statutory.cin.generator import generate
from statutory.ssda903.generator import generate_to

YEAR = 2026


@functools.cache
def _generated(children: int, seed: int, year: int, root: str) -> tuple[Path, Path]:
    return generate_to(Path(root) / f"903-{children}-{seed}-{year}", children, year, seed=seed)


def ssda903_folders(
    tmp_root: Path, children: int = 60, seed: int = 3, year: int = YEAR
) -> tuple[Path, Path]:
    return _generated(children, seed, year, str(tmp_root))


def csv_files(folder: Path) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(folder.glob("*.csv"))
    ]


def zip_of(folder: Path, name: str = "return.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for p in sorted(folder.rglob("*.csv")):
            archive.write(p, p.relative_to(folder).as_posix())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def cin_file(tmp_root: Path, la: str, children: int = 40, year: int = 2025) -> SimpleUploadedFile:
    out = Path(tmp_root) / f"cin-{la}-{children}-{year}.xml"
    if not out.exists():
        generate(out, children, year=year, la=la)
    return SimpleUploadedFile("census.xml", out.read_bytes(), content_type="application/xml")


def upload_903(
    organisation: Any,
    user: Any,
    generated: Path,
    *,
    seed: int = 3,
    with_previous: bool = True,
) -> Upload:
    """A generated SSDA903 return for YEAR uploaded (its check queued, not run), with last
    year's return beside it unless `with_previous` is False."""
    current, previous = ssda903_folders(generated, seed=seed)
    return uploading.start_upload(
        organisation=organisation,
        user=user,
        kind="ssda903",
        year=YEAR,
        current=csv_files(current),
        previous=csv_files(previous) if with_previous else (),
    )


def accepted_903(
    organisation: Any,
    user: Any,
    generated: Path,
    *,
    seed: int = 3,
    with_previous: bool = True,
) -> Upload:
    """`upload_903`, checked as the task worker checks it, and accepted."""
    upload = upload_903(organisation, user, generated, seed=seed, with_previous=with_previous)
    return _accepted(upload)


def accepted_return(
    organisation: Any,
    user: Any,
    kind: str,
    year: int,
    current: Sequence[SimpleUploadedFile],
    previous: Sequence[SimpleUploadedFile] = (),
) -> Upload:
    """These files uploaded as the council's `kind` return for `year`, checked and accepted."""
    upload = uploading.start_upload(
        organisation=organisation,
        user=user,
        kind=kind,
        year=year,
        current=current,
        previous=previous,
    )
    return _accepted(upload)


def _accepted(upload: Upload) -> Upload:
    checking.check(upload.pk, f"test-{upload.pk}")
    upload.refresh_from_db()
    assert upload.status == Upload.Status.ACCEPTED, upload.problem
    return upload
