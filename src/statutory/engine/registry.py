"""The registry: every check for a return, joined with the DfE's words and years.

`Registry.load("903")` imports every module under `statutory.ssda903.rules` (pkgutil, so rule
authors never edit a central list) and collects the checks they registered with `@rule`. A
module that fails to import does not stop the others: its error is kept in `import_errors`
and reported with the run.

Tests build their own registry and register fake checks on it with `Registry.rule`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from statutory.engine.rule import Check, Rule, _store, make_rule, registered
from statutory.reference import RuleSpec, load_rule_specs

KINDS = ("903", "cin")
RULE_PACKAGES = {"903": "statutory.ssda903.rules", "cin": "statutory.cin.rules"}


def code_sort_key(code: str) -> tuple[int, int, str]:
    """Numeric codes in number order first ("101" < "1000"), then the lettered ones."""
    match = re.match(r"^(\d+)(.*)$", code)
    if match:
        return (0, int(match.group(1)), match.group(2).lower())
    return (1, 0, code.lower())


@dataclass(frozen=True)
class Coverage:
    code: str
    message: str
    implemented: bool


class Registry:
    def __init__(
        self,
        kind: str,
        rules: Sequence[Rule] = (),
        specs: Mapping[str, RuleSpec] | None = None,
    ) -> None:
        self.kind = kind
        if specs is None:
            specs = load_rule_specs("cin" if kind == "cin" else "903") if kind in KINDS else {}
        self.specs: Mapping[str, RuleSpec] = specs
        self._rules: dict[str, Rule] = {}
        self.import_errors: dict[str, str] = {}
        for item in rules:
            self.add(item)

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def load(cls, kind: str = "903", package: str | None = None) -> Registry:
        """Import every module of the rules package and collect what they registered."""
        package_name = package or RULE_PACKAGES[kind]
        errors: dict[str, str] = {}
        try:
            root = importlib.import_module(package_name)
        except Exception:
            errors[package_name] = traceback.format_exc(limit=3)
        else:
            for info in pkgutil.walk_packages(root.__path__, prefix=package_name + "."):
                try:
                    importlib.import_module(info.name)
                except Exception:
                    errors[info.name] = traceback.format_exc(limit=3)
        registry = cls(kind, rules=list(registered(kind).values()))
        registry.import_errors = errors
        return registry

    def add(self, item: Rule) -> None:
        _store(item, self._rules)

    def rule(
        self,
        code: str,
        *,
        table: str,
        fields: Sequence[str] = (),
        message: str | None = None,
    ) -> Callable[[Check], Check]:
        """Register a check on this registry only (tests)."""

        def decorate(check: Check) -> Check:
            self.add(
                make_rule(code, check, table=table, fields=fields, kind=self.kind, message=message)
            )
            return check

        return decorate

    # -- reading ----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: code_sort_key(r.code)))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def get(self, code: str) -> Rule:
        try:
            return self._rules[code]
        except KeyError:
            raise KeyError(f"rule {code} is not implemented") from None

    def message(self, code: str) -> str:
        spec = self.specs.get(code)
        if spec is not None:
            return spec.message
        item = self._rules.get(code)
        return (item.message if item and item.message else "") or ""

    def severity(self, code: str) -> str:
        spec = self.specs.get(code)
        return spec.severity if spec is not None else "error"

    def applies(self, code: str, year: int) -> bool:
        """Listed rules apply in their years; a check not in the list applies every year."""
        spec = self.specs.get(code)
        return spec is None or spec.applies_in(year)

    def applicable(self, year: int) -> list[Rule]:
        return [item for item in self if self.applies(item.code, year)]

    def listed(self, year: int | None = None) -> list[RuleSpec]:
        specs = [s for s in self.specs.values() if year is None or s.applies_in(year)]
        return sorted(specs, key=lambda s: code_sort_key(s.code))

    def coverage(self, year: int | None = None) -> list[Coverage]:
        """Each listed rule for the year, implemented or missing, in code order."""
        return [
            Coverage(spec.code, spec.message, spec.code in self._rules)
            for spec in self.listed(year)
        ]

    def missing(self, year: int | None = None) -> list[str]:
        return [c.code for c in self.coverage(year) if not c.implemented]

    def unlisted(self) -> list[str]:
        """Implemented checks whose code is not in the DfE list (typos show up here)."""
        return [item.code for item in self if item.code not in self.specs]
