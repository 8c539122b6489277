"""The protocol every learning store implements, and a base class with the shared plumbing.

A store answers four questions each turn: what do I recall for this message (``recall``), how
should the agent use me (``guidance``), which tools does it get (``tools``), and — in ALWAYS
mode — what part of the combined extraction is mine (``extraction_spec`` / ``plan_extraction``).
Custom stores implement the same protocol and plug into ``LearningMachine(custom_stores=...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from workbench.agent.result import RecalledItem
from workbench.agent.tools import Tool
from workbench.learn.config import LearningMode
from workbench.learn.context import TurnContext
from workbench.models.types import estimate_tokens
from workbench.tracing import span

if TYPE_CHECKING:
    import pandas as pd

    from workbench.learn.machine import LearningMachine


@dataclass
class Recalled:
    """What a store contributes to the prompt: a data block and the items in it."""

    block: str = ""
    items: list[RecalledItem] = field(default_factory=list)


@dataclass
class ExtractionSpec:
    """A store's part of the combined ALWAYS extraction call.

    Attributes:
        schema: JSON schema of this store's part of the output object.
        instructions: what to extract (read by the model).
        state: the store's current state relevant to this turn (so the extractor updates
            instead of duplicating), rendered as text.
    """

    schema: dict[str, Any]
    instructions: str
    state: str = ""


Commit = Callable[[], list[str]]

_ID_KEYS = ("record_id", "memory_id", "learning_id", "decision_id", "proposal_id")


@runtime_checkable
class LearningStore(Protocol):
    name: str
    mode: LearningMode

    def attach(self, machine: LearningMachine) -> None: ...

    def recall(self, turn: TurnContext) -> Recalled: ...

    def guidance(self) -> str: ...

    def tools(self, turn: TurnContext) -> list[Tool]: ...

    def write_tools(self) -> set[str]: ...

    def extraction_spec(self, turn: TurnContext) -> ExtractionSpec | None: ...

    def plan_extraction(self, turn: TurnContext, part: Any) -> Commit: ...

    def to_frame(self) -> pd.DataFrame: ...

    def snapshot(self) -> list[dict[str, Any]]: ...

    def clear(self) -> None: ...


class StoreBase:
    """Shared plumbing: the machine link, collections, traced reads and writes."""

    name = "store"
    config: Any

    def __init__(self, config: Any) -> None:
        self.config = config
        self.mode: LearningMode = config.mode
        self.machine: LearningMachine | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mode={self.mode.name})"

    def attach(self, machine: LearningMachine) -> None:
        self.machine = machine

    @property
    def _m(self) -> LearningMachine:
        if self.machine is None:
            raise RuntimeError(f"{self.name} is not attached to a LearningMachine")
        return self.machine

    def collection(self, suffix: str = ""):
        return self._m.collection(self.name + (f"_{suffix}" if suffix else ""))

    def now(self):
        return self._m.clock()

    # -- tracing ----------------------------------------------------------------------------

    def traced_recall(self, turn: TurnContext, build: Callable[[], Recalled]) -> Recalled:
        with span("memory_read", f"{self.name}.recall") as ev:
            recalled = build()
            ev.attributes.update(items=len(recalled.items),
                                 ids=[i.item_id for i in recalled.items][:20])
            ev.tokens_in = estimate_tokens(recalled.block)
        return recalled

    def write_span(self, operation: str, **attributes: Any):
        """A ``memory_write`` event; ``ids`` always lists the record ids written (as reads do)."""
        if "ids" not in attributes:
            attributes["ids"] = [v for k, v in attributes.items()
                                 if k in _ID_KEYS and isinstance(v, str)]
        return span("memory_write", f"{self.name}.{operation}", **attributes)

    # -- defaults ---------------------------------------------------------------------------

    def guidance(self) -> str:
        return ""

    def tools(self, turn: TurnContext) -> list[Tool]:
        return []

    def write_tools(self) -> set[str]:
        return set()

    def extraction_spec(self, turn: TurnContext) -> ExtractionSpec | None:
        return None

    def plan_extraction(self, turn: TurnContext, part: Any) -> Commit:
        return lambda: []

    @property
    def exposes_tools(self) -> bool:
        return self.mode in (LearningMode.AGENTIC, LearningMode.PROPOSE)
