"""Settings read from the environment, only at entry points (CLI, Agent and machine defaults).

Library code receives values explicitly; it never reads ``os.environ`` itself. The API key is
kept out of ``repr`` so it cannot end up in logs, run records or notebook output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REAL_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    """What the environment configures.

    Attributes:
        model: ``WORKBENCH_MODEL`` — a model name, ``"offline"``, or None for the default.
        api_key: ``OPENAI_API_KEY`` (never shown in repr).
        base_url: ``OPENAI_BASE_URL`` for any OpenAI-compatible server.
        data_dir: ``WORKBENCH_DATA_DIR``, default ``./.workbench`` in the working directory.
        chroma_url: ``WORKBENCH_CHROMA_URL`` — use a ChromaDB server instead of local files.
        embedder: ``WORKBENCH_EMBEDDER`` — ``minilm`` (default), ``hashing`` or ``openai``.
    """

    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    data_dir: Path = Path(".workbench")
    chroma_url: str | None = None
    embedder: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ
        return cls(
            model=env.get("WORKBENCH_MODEL") or None,
            api_key=env.get("OPENAI_API_KEY") or None,
            base_url=env.get("OPENAI_BASE_URL") or None,
            data_dir=Path(env.get("WORKBENCH_DATA_DIR") or ".workbench"),
            chroma_url=env.get("WORKBENCH_CHROMA_URL") or None,
            embedder=env.get("WORKBENCH_EMBEDDER") or None,
        )

    @property
    def default_model_name(self) -> str:
        """``WORKBENCH_MODEL`` if set; a real model when a key or server is configured;
        otherwise the offline model."""
        if self.model:
            return self.model
        if self.api_key or self.base_url:
            return DEFAULT_REAL_MODEL
        return "offline"


def datasets_dir() -> Path:
    """The repository's ``datasets/`` folder, or ``$WORKBENCH_DATASETS`` when that is set.

    The one place that variable is read: every agent's loaders go through here, so tests and
    installed copies can point all of them elsewhere at once.
    """
    override = os.environ.get("WORKBENCH_DATASETS")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[1] / "datasets"


def redact(text: str, secrets: tuple[str | None, ...]) -> str:
    """Replace every secret (e.g. an API key) in ``text`` by a fixed marker."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[REDACTED]")
    return text
