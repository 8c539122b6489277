"""Machine-checkable memo conditions: "revisit if auto margin > 20%", "review if price <= $112.50".

A PASS memo lists revisit conditions; a BUY memo lists review triggers. Both are the same small
record (metric, operator, threshold) evaluated against a quarter's fixture, so a scorer can tell
whether a precedent's facts have changed without a model in the loop.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from workbench.agents.investment.data import Fixture

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}


@dataclass(frozen=True)
class Condition:
    """``metric op value`` on one fixture, e.g. ``auto_gross_margin > 0.20``."""

    id: str
    metric: str
    op: str
    value: Any
    description: str = ""

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"condition {self.id}: unknown operator {self.op!r}")

    def evaluate(self, fixture: Fixture) -> bool:
        """True when the fixture meets the condition; a missing or null metric is not met."""
        try:
            actual = fixture.metric(self.metric)
        except KeyError:
            return False
        if actual is None:
            return False
        return bool(_OPS[self.op](actual, self.value))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the memo front-matter shape)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Condition:
        """Inverse of :meth:`to_dict`."""
        return cls(str(data["id"]), str(data["metric"]), str(data["op"]), data["value"],
                   str(data.get("description", "")))


def met_conditions(conditions: Iterable[Condition], fixture: Fixture) -> list[str]:
    """Ids of the conditions the fixture meets, in the order given."""
    return [c.id for c in conditions if c.evaluate(fixture)]
