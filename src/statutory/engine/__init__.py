"""The rule engine shared by SSDA903 and the CIN census (contract: docs/statutory/rule-engine.md).

```python
from statutory.engine import rule, Context, Flag
```
"""

from statutory.engine.columns import ROW_NUMBER
from statutory.engine.context import Context, Return
from statutory.engine.errors import InputError
from statutory.engine.findings import FINDING_COLUMNS, Findings, RuleError
from statutory.engine.registry import Registry
from statutory.engine.rule import Flag, Rule, rule
from statutory.engine.run import run

__all__ = [
    "FINDING_COLUMNS",
    "ROW_NUMBER",
    "Context",
    "Findings",
    "Flag",
    "InputError",
    "Registry",
    "Return",
    "Rule",
    "RuleError",
    "rule",
    "run",
]
