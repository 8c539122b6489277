"""The LearningMachine and its stores.

    from workbench.learn import LearningMachine, LearningMode, UserProfileConfig, ...
"""

from workbench.learn.base import ExtractionSpec, LearningStore, Recalled, StoreBase
from workbench.learn.config import (
    DecisionLogConfig,
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMode,
    SessionContextConfig,
    UserMemoryConfig,
    UserProfileConfig,
)
from workbench.learn.context import SteppingClock, TurnContext
from workbench.learn.machine import LearningMachine
from workbench.learn.proposals import Proposal
from workbench.learn.stores.learned_knowledge import Knowledge
from workbench.learn.stores.user_profile import UserProfile

__all__ = [
    "LearningMachine", "LearningMode", "UserProfileConfig", "UserMemoryConfig",
    "SessionContextConfig", "EntityMemoryConfig", "LearnedKnowledgeConfig", "DecisionLogConfig",
    "Knowledge", "UserProfile", "LearningStore", "StoreBase", "Recalled", "ExtractionSpec",
    "TurnContext", "SteppingClock", "Proposal",
]
