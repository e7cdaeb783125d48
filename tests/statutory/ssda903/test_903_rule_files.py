"""A reader finds an SSDA903 rule from its code in one step (docs/statutory/rule-engine.md, "Where
a rule is"): code N is in `rules/r<M>s.py` with the largest M not above N, every four-digit code
in `r1000s.py`, the validator's own checks in the module named for their prefix."""

from __future__ import annotations

import re
from pathlib import Path

from statutory.engine import Registry

RULES = Path(__file__).parents[3] / "src" / "statutory" / "ssda903" / "rules"
PREFIXES = {"INT": "integrity", "EPI": "integrity", "NoE": "integrity", "SW": "social_work"}


def _expected_module(code: str, starts: list[int]) -> str:
    for prefix, module in PREFIXES.items():
        if code.startswith(prefix):
            return module
    number = int(re.match(r"\d+", code).group())  # type: ignore[union-attr]
    if number >= 1000:
        return "r1000s"
    return f"r{max(s for s in starts if s <= number)}s"


def test_every_rule_is_in_the_module_its_code_names() -> None:
    starts = sorted(
        int(m.group(1)) for p in RULES.glob("r*s.py") if (m := re.fullmatch(r"r(\d+)s", p.stem))
    )
    misplaced = {
        item.code: item.check.__module__.rsplit(".", 1)[-1]
        for item in Registry.load("903")
        if item.check.__module__.rsplit(".", 1)[-1] != _expected_module(item.code, starts)
    }
    assert misplaced == {}


def test_no_rule_module_is_over_about_600_lines() -> None:
    lengths = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in RULES.glob("*.py")}
    assert {name: n for name, n in lengths.items() if n > 600} == {}
