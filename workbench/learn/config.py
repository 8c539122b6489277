"""Learning modes and the per-store configuration objects.

Configs are frozen: the machine reads them and never writes into them, so one config can be
shared by several machines. A mode a store cannot honour is rejected here, at construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workbench.errors import UnsupportedModeError


class LearningMode(StrEnum):
    """How a store learns.

    ALWAYS: an extractor reads every finished turn and writes what it finds.
    AGENTIC: the agent gets tools (and guidance on when to use them) and decides.
    PROPOSE: the agent proposes writes; nothing is saved until a person confirms.
    """

    ALWAYS = "always"
    AGENTIC = "agentic"
    PROPOSE = "propose"


def _check_mode(store: str, mode: Any, supported: tuple[LearningMode, ...]) -> LearningMode:
    try:
        mode = LearningMode(mode)
    except ValueError as exc:
        raise UnsupportedModeError(f"{store}: unknown learning mode {mode!r}") from exc
    if mode not in supported:
        names = ", ".join(m.name for m in supported)
        raise UnsupportedModeError(
            f"{store} cannot run in {mode.name} mode; supported: {names}")
    return mode


ALL_MODES = (LearningMode.ALWAYS, LearningMode.AGENTIC, LearningMode.PROPOSE)


@dataclass(frozen=True)
class UserProfileConfig:
    """One profile record per user, updated in place with a field history.

    Attributes:
        mode: ALWAYS (default), AGENTIC or PROPOSE.
        schema: a dataclass subclassing :class:`~workbench.learn.stores.user_profile.UserProfile`;
            its field descriptions reach the model.
    """

    mode: LearningMode = LearningMode.ALWAYS
    schema: type | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _check_mode("user_profile", self.mode, ALL_MODES))


@dataclass(frozen=True)
class UserMemoryConfig:
    """Observations about a user, one record each, recalled top-k within a token budget."""

    mode: LearningMode = LearningMode.ALWAYS
    limit: int = 5
    max_tokens: int = 300
    min_score: float = 0.2
    duplicate_threshold: float = 0.92

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _check_mode("user_memory", self.mode, ALL_MODES))


@dataclass(frozen=True)
class SessionContextConfig:
    """Summary (and with planning: goal, plan steps, progress) for one session."""

    mode: LearningMode = LearningMode.ALWAYS
    enable_planning: bool = False
    max_summary_chars: int = 1200

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _check_mode(
            "session_context", self.mode, (LearningMode.ALWAYS, LearningMode.AGENTIC)))


@dataclass(frozen=True)
class EntityMemoryConfig:
    """A graph of entities, facts, typed relationships and dated events.

    Attributes:
        namespace: ``"global"`` (shared), ``"user"`` (per user id; fails closed without one)
            or any custom string.
        enable_*: which write tools the agent gets.
        single_valued: attributes for which a new value supersedes the live one; ``None``
            means every attribute except those in ``multi_valued``.
        multi_valued: attributes that accumulate (never supersede).
        functional_relations: relations with one live target per source (a new target
            retires the old edge), e.g. ``works_at``.
    """

    mode: LearningMode = LearningMode.AGENTIC
    namespace: str = "global"
    enable_create_entity: bool = True
    enable_add_fact: bool = True
    enable_add_relationship: bool = True
    enable_add_event: bool = True
    enable_search: bool = True
    enable_update_entity: bool = True
    enable_forget: bool = True
    multi_valued: frozenset[str] = frozenset({"note", "expertise", "skill", "interest",
                                              "hobby", "fact"})
    functional_relations: frozenset[str] = frozenset({"works_at", "reports_to", "based_in",
                                                      "employed_by"})
    max_entities_in_context: int = 5
    max_facts_per_entity: int = 10
    max_events_per_entity: int = 5
    min_score: float = 0.25

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _check_mode("entity_memory", self.mode, ALL_MODES))


@dataclass(frozen=True)
class LearnedKnowledgeConfig:
    """Reusable insights: ``save_learning`` / ``search_learnings`` with provenance."""

    mode: LearningMode = LearningMode.AGENTIC
    namespace: str = "global"
    limit: int = 5
    max_tokens: int = 600
    min_score: float = 0.3
    duplicate_threshold: float = 0.9

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _check_mode("learned_knowledge", self.mode, ALL_MODES))


@dataclass(frozen=True)
class DecisionLogConfig:
    """Decisions with reasoning, alternatives and (later) outcomes; found by id at any age."""

    mode: LearningMode = LearningMode.AGENTIC
    limit: int = 3
    min_score: float = 0.25
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _check_mode(
            "decision_log", self.mode, (LearningMode.AGENTIC, LearningMode.PROPOSE)))
