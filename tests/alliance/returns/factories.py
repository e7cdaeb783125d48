"""Returns for tests: synthetic SSDA903 and CIN files written by the statutory library's own
generators, wrapped as uploaded files."""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

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
