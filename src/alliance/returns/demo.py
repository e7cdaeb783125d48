"""Demo returns: small fictional SSDA903 returns for North and South Tyneside, checked by the
same pipeline the service runs, and South Tyneside's agreement to share with the Tyneside
Alliance. Idempotent: councils that already have a demo upload are left alone."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from alliance.organisations.models import Council, Organisation
from alliance.returns import services
from alliance.returns.models import DataSharingAgreement, Upload

DEMO_CHILDREN = 150


class _File:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._path = path

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        return [self._path.read_bytes()]


def load() -> str:
    from statutory.ssda903.generator import generate_to

    year = services.collection_years("ssda903")[-1]
    made = []
    for seed, code in ((11, "392"), (12, "393")):
        council = Council.objects.filter(dfe_code=code).select_related("organisation").first()
        if council is None:
            continue
        org = council.organisation
        if Upload.objects.filter(organisation=org, kind="ssda903").exists():
            continue
        with tempfile.TemporaryDirectory() as folder:
            for offset in (1, 0):
                current, previous = generate_to(
                    Path(folder) / str(offset), DEMO_CHILDREN, year - offset, seed=seed + offset
                )
                upload = services.start_upload(
                    organisation=org,
                    user=None,
                    kind="ssda903",
                    year=year - offset,
                    current=[_File(p) for p in sorted(current.glob("*.csv"))],
                    previous=[_File(p) for p in sorted(previous.glob("*.csv"))],
                )
                services.check(upload.pk, "demo")
        made.append(council.name)
    alliance = Organisation.objects.filter(slug="tyneside-alliance").first()
    south = Organisation.objects.filter(council__dfe_code="393").first()
    north = Organisation.objects.filter(council__dfe_code="392").first()
    for sharer in (north, south):
        if alliance is not None and sharer is not None:
            DataSharingAgreement.objects.get_or_create(
                organisation=sharer,
                alliance=alliance,
                defaults={
                    "scope": DataSharingAgreement.Scope.ALL,
                    "starts_on": dt.date.today() - dt.timedelta(days=30),
                    "ends_on": dt.date.today() + dt.timedelta(days=335),
                    "purpose": "Fictional demo agreement: comparing placement stability across the alliance.",
                    "signed_by": "A. Director (fictional), Director of Children's Services",
                },
            )
    return (
        f"returns: fictional SSDA903 returns ({DEMO_CHILDREN} children, two years) for {', '.join(made)}"
        if made
        else "returns: demo returns already loaded"
    )
