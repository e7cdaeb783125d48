"""Demo returns: small fictional SSDA903 returns and CIN censuses for North and South Tyneside,
checked by the same pipeline the service runs, and their agreements to share with the Tyneside
Alliance. Half the children in each census are children looked after in that council's SSDA903
return (under the same LA child ids, so the same pseudonyms), as in real councils, so the Edge
of Care evaluation can look children in need up in SSDA903.

North Tyneside's SSDA903 returns are four consecutive years of one council's history (Header and
Episodes: `alliance 903 generate --years`), so its demand forecast from returns has the three
years it needs; South Tyneside's are two years of complete returns, every table.

Idempotent: a council that already has a demo return keeps it; a demo CIN census stored with
the old CIN pseudonyms (before both returns shared one, see docs/returns.md) is uploaded again."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import polars as pl

from alliance.organisations.models import Council, Organisation
from alliance.returns.models import DataSharingAgreement, Upload
from alliance.returns.services import checking, stored_returns, uploading
from statutory.cin.generator import generate
from statutory.ssda903.generator import generate_to
from statutory.ssda903.generator.multi_year import generate_years

DEMO_CHILDREN = 150
FORECAST_YEARS = 4  # North Tyneside's years of returns: the forecast from returns needs three
_CHILD_ID = re.compile(r"<LAchildID>([^<]*)</LAchildID>")


class _File:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._path = path

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        return [self._path.read_bytes()]


def _needs_cin(org: Organisation) -> bool:
    """No CIN census yet, or the latest one was stored with the old CIN-only pseudonyms."""
    if not Upload.objects.filter(organisation=org, kind="cin").exists():
        return True
    return bool(stored_returns.stored_with_old_cin_pseudonyms(org))


def _census(folder: Path, code: str, seed: int, year: int, looked_after: list[str]) -> Path:
    """A fictional census whose first children carry the ids of the council's looked-after
    children (the CIN census counts children looked after as children in need too)."""
    source = generate(folder / "generated.xml", DEMO_CHILDREN, year=year, seed=seed, la=code)
    ids = iter(looked_after[: DEMO_CHILDREN // 2])
    target = folder / "census.xml"
    target.write_text(
        _CHILD_ID.sub(
            lambda m: f"<LAchildID>{next(ids, m.group(1))}</LAchildID>", source.read_text()
        )
    )
    return target


def load() -> str:
    year = uploading.collection_years("ssda903")[-1]
    cin_years = uploading.collection_years("cin")
    cin_year = year if year in cin_years else cin_years[0]
    made = []
    for seed, code in ((11, "392"), (12, "393")):
        council = Council.objects.filter(dfe_code=code).select_related("organisation").first()
        if council is None:
            continue
        org = council.organisation
        with tempfile.TemporaryDirectory() as folder:
            returns: dict[int, tuple[Path, Path]] = {
                offset: generate_to(
                    Path(folder) / str(offset), DEMO_CHILDREN, year - offset, seed=seed + offset
                )
                for offset in (1, 0)
            }
            if code == "392":
                # made again each time (the same seed, the same files): the census links to them
                folders = generate_years(
                    Path(folder) / "years", DEMO_CHILDREN, year, FORECAST_YEARS, seed=seed,
                    home_district=council.ons_code, la_number=int(code),
                )  # fmt: skip
                returns[0] = (folders[-1], folders[-1])
            if (
                code == "392"
                and not Upload.objects.filter(organisation=org, kind="ssda903").exists()
            ):
                for one in folders:
                    upload = uploading.start_upload(
                        organisation=org, user=None, kind="ssda903", year=int(one.name),
                        current=[_File(p) for p in sorted(one.glob("*.csv"))],
                    )  # fmt: skip
                    checking.check(upload.pk, "demo")
                made.append(f"SSDA903 for {council.name}")
            elif not Upload.objects.filter(organisation=org, kind="ssda903").exists():
                for offset, (current, previous) in returns.items():
                    upload = uploading.start_upload(
                        organisation=org,
                        user=None,
                        kind="ssda903",
                        year=year - offset,
                        current=[_File(p) for p in sorted(current.glob("*.csv"))],
                        previous=[_File(p) for p in sorted(previous.glob("*.csv"))],
                    )
                    checking.check(upload.pk, "demo")
                made.append(f"SSDA903 for {council.name}")
            if _needs_cin(org):
                header = pl.read_csv(returns[0][0] / "header.csv", infer_schema=False)
                census = _census(Path(folder), code, seed, cin_year, header["CHILD"].to_list())
                upload = uploading.start_upload(
                    organisation=org, user=None, kind="cin", year=cin_year, current=[_File(census)]
                )
                checking.check(upload.pk, "demo")
                made.append(f"CIN census for {council.name}")
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
        f"returns: fictional returns ({DEMO_CHILDREN} children each): {', '.join(made)}"
        if made
        else "returns: demo returns already loaded"
    )
