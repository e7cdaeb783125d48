"""A rule: one DfE check, registered with `@rule(code, table=..., fields=...)`.

The decorator records the check in a module-level store keyed by return ("903" or "cin"). The
return is worked out from the module the check is defined in (`statutory.ssda903.…` -> "903",
`statutory.cin.…` -> "cin"); pass `kind="903"` to say it explicitly (tests, other packages).
The DfE message and years are *not* given here: the registry joins them from the rule lists.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
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
    "names_in",
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

    @property
    def names(self) -> frozenset[str]:
        """Every name the check's code gives: a superset of the fields it reads (`names_in`).
        The fields it flags (`fields`) are the ones a finding fails on; a finding shows the
        others it reads too, so a person sees the whole condition (issue #16: rule 186 showed
        the score, not the blank reason that fails with it)."""
        return names_in(self.check)


@functools.cache
def names_in(check: Callable[..., object]) -> frozenset[str]:
    """The text constants a check's code names, and those of the module-level constants it
    names (`RESPITE = ("V3", "V4")`, `OC3_ITEMS`): the columns it reads are among them. Read
    from the source once; a check without source (built at run time) names nothing."""
    try:
        source = textwrap.dedent(inspect.getsource(check))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return frozenset()
    module = inspect.getmodule(check)
    known = vars(module) if module is not None else {}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.Name) and node.id in known:
            value = known[node.id]
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, tuple | list | set | frozenset) and all(
                isinstance(v, str) for v in value
            ):
                found.update(value)
    return frozenset(found)


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
