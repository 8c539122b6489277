"""The model layer: one protocol, the offline model, an OpenAI-compatible client, replay.

``resolve_model`` turns what a user typed (``"offline"``, ``"gpt-4o-mini"``, ``None``) into a
:class:`Model`. It is the only place that picks a backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.errors import ConfigError
from workbench.models.offline import OfflineModel, OfflineView, Policy, call
from workbench.models.scripted import ScriptedModel
from workbench.models.types import (
    Message,
    Model,
    ModelRequest,
    ModelResponse,
    ResponseFormat,
    ToolCall,
    ToolSpec,
    Usage,
)
from workbench.settings import Settings

__all__ = [
    "Message", "Model", "ModelRequest", "ModelResponse", "ResponseFormat", "ToolCall",
    "ToolSpec", "Usage", "OfflineModel", "OfflineView", "Policy", "ScriptedModel", "call",
    "resolve_model", "is_offline",
]


def resolve_model(spec: str | Model | None = None, *, settings: Settings | None = None,
                  offline_policies: Sequence[Policy] = (),
                  replay_dir: str | Path | None = None, replay_mode: str = "auto") -> Model:
    """Resolve a model name to a model.

    Args:
        spec: ``"offline"``, any model name served by an OpenAI-compatible endpoint, an
            existing :class:`Model`, or None for the configured default (the offline model
            when no key or base URL is configured).
        settings: connection settings; read from the environment when omitted.
        offline_policies: the agent's policies, placed first when the offline model is used.
        replay_dir: wrap a real model in a record/replay cache in this folder.
        replay_mode: ``"auto"``, ``"record"`` or ``"replay"`` (replay-only).
    """
    if spec is not None and not isinstance(spec, str):
        return spec
    settings = settings or Settings.from_env()
    name = spec or settings.default_model_name
    if name == "offline":
        return OfflineModel(offline_policies)
    if not (settings.api_key or settings.base_url):
        raise ConfigError(
            f"model {name!r} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
            "OpenAI-compatible server); use model='offline' to run without one")
    from workbench.models.openai_compat import OpenAICompatibleModel

    model: Model = OpenAICompatibleModel(name, api_key=settings.api_key or "not-needed",
                                         base_url=settings.base_url)
    if replay_dir is not None:
        from workbench.models.replay import RecordReplayModel

        model = RecordReplayModel(model, replay_dir, mode=replay_mode)
    return model


def is_offline(model: Model) -> bool:
    """True for the offline stand-in (and its scripted mode): label its numbers as such."""
    inner = getattr(model, "inner", model)
    return getattr(inner, "endpoint", "") == "offline"
