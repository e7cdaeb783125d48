"""A rule: one DfE check, registered with `@rule(code, table=..., fields=...)`.

The decorator records the check in a module-level store keyed by return ("903" or "cin"). The
return is worked out from the module the check is defined in (`statutory.ssda903.…` -> "903",
`statutory.cin.…` -> "cin"); pass `kind="903"` to say it explicitly (tests, other packages).
The DfE message and years are *not* given here: the registry joins them from the rule lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from statutory.engine.errors import DuplicateRuleError, NotRun

if TYPE_CHECKING:
    from statutory.engine.context import Context

RuleResult = pl.DataFrame | Sequence["Flag"]
Check = Callable[["Context"], RuleResult]

_KIND_BY_PACKAGE = {"statutory.ssda903": "903", "statutory.cin": "cin"}

# kind -> code -> Rule. Filled as rule modules are imported.
_RULES: dict[str, dict[str, Rule]] = {}

__all__ = [
    "Check",
    "Flag",
    "NotRun",
    "Rule",
    "kind_of_module",
    "make_rule",
    "registered",
    "rule",
]


@dataclass(frozen=True)
class Flag:
    """Rows of one table a rule flags, when a rule flags rows in more than one table."""

    table: str
    rows: pl.DataFrame
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    check: Check
    table: str
    fields: tuple[str, ...]
    kind: str
    # Only for checks whose code is not in the DfE list (tests, local checks).
    message: str | None = None
    name: str = field(default="")

    @property
    def qualname(self) -> str:
        return f"{self.check.__module__}.{self.check.__qualname__}"

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()


def kind_of_module(module: str) -> str | None:
    for package, kind in _KIND_BY_PACKAGE.items():
        if module == package or module.startswith(package + "."):
            return kind
    return None


def _store(rule_: Rule, store: dict[str, Rule]) -> None:
    existing = store.get(rule_.code)
    if existing is not None and existing.qualname != rule_.qualname:
        raise DuplicateRuleError(
            f"rule {rule_.code} is defined twice: {existing.qualname} and {rule_.qualname}"
        )
    store[rule_.code] = rule_


def make_rule(
    code: str,
    check: Check,
    *,
    table: str,
    fields: Sequence[str] = (),
    kind: str | None = None,
    message: str | None = None,
) -> Rule:
    resolved = kind or kind_of_module(check.__module__)
    if resolved is None:
        raise ValueError(
            f"cannot tell which return rule {code} belongs to from module {check.__module__!r}; "
            "pass kind='903' or kind='cin'"
        )
    if isinstance(fields, str):
        fields = (fields,)
    return Rule(
        code=str(code),
        check=check,
        table=table,
        fields=tuple(fields),
        kind=resolved,
        message=message,
        name=check.__name__,
    )


def rule(
    code: str,
    *,
    table: str,
    fields: Sequence[str] = (),
    kind: str | None = None,
    message: str | None = None,
) -> Callable[[Check], Check]:
    """Register a check under a DfE code; returns the function unchanged (so tests can call it)."""

    def decorate(check: Check) -> Check:
        made = make_rule(code, check, table=table, fields=fields, kind=kind, message=message)
        _store(made, _RULES.setdefault(made.kind, {}))
        return check

    return decorate


def registered(kind: str) -> dict[str, Rule]:
    """Every rule registered so far for a return (import the rule modules first)."""
    return dict(_RULES.get(kind, {}))
