"""Whether a partner's own councils are still rated well: a partner in practice is an alliance of
councils rated good or outstanding, so a member council whose latest overall Ofsted judgement is
requires improvement or inadequate is said wherever partners are chosen or listed, with the
judgement and its date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from alliance.nationalpicture.interface import OVERALL_FRAMEWORKS, Grade, Judgement
from alliance.programme.models import Partner

BELOW_GOOD = (Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value)
_WORDS = {g.value: str(g.label).lower() for g in Grade}


@dataclass(frozen=True)
class Concern:
    council: str
    grade: str
    published: dt.date

    def __str__(self) -> str:
        return (
            f"{self.council} is rated {_WORDS.get(self.grade, self.grade)} by Ofsted "
            f"(published {self.published.day} {self.published:%B %Y})"
        )


def partner_concerns(
    partners: Iterable[Partner], as_at: dt.date | None = None
) -> dict[int, list[Concern]]:
    """For each partner (by id) whose member councils' latest overall judgement on or before
    `as_at` (default today) is below good: those councils, judgement and date. One query for the
    members and one for their judgements."""
    as_at = as_at or timezone.localdate()
    members: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for partner in partners:
        councils = [m.council for m in partner.alliance.alliance_members.all()]
        members[partner.pk] = [c.pk for c in councils]
        names.update((c.pk, c.name) for c in councils)
    latest: dict[int, tuple[str, dt.date]] = {}
    for council_id, overall, published in (
        Judgement.objects.filter(
            council_id__in=names, framework__in=OVERALL_FRAMEWORKS, published__lte=as_at
        )
        .exclude(overall="")
        .order_by("published", "id")
        .values_list("council_id", "overall", "published")
    ):
        latest[council_id] = (overall, published)  # by date: the last one wins
    found: dict[int, list[Concern]] = {}
    for partner_id, council_ids in members.items():
        concerns = [
            Concern(names[c], latest[c][0], latest[c][1])
            for c in council_ids
            if c in latest and latest[c][0] in BELOW_GOOD
        ]
        if concerns:
            found[partner_id] = sorted(concerns, key=lambda k: k.council)
    return found
