"""One root error class and a small hierarchy.

Every class carries a stable ``code`` so failures can be grouped in a DataFrame. Messages name
what failed and what to do; they never include an API key.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Root of every error the workbench raises on purpose."""

    code = "workbench_error"


class ConfigError(WorkbenchError):
    """A user mistake in configuration: a bad argument, a missing key, an unknown model name."""

    code = "config_error"


class ModelError(WorkbenchError):
    """A model call failed. Names the model and the endpoint it was sent to."""

    code = "model_error"

    def __init__(self, message: str, *, model: str = "", endpoint: str = "") -> None:
        self.model = model
        self.endpoint = endpoint
        where = ", ".join(p for p in (f"model={model}" if model else "",
                                      f"endpoint={endpoint}" if endpoint else "") if p)
        super().__init__(f"{message} ({where})" if where else message)


class ModelHTTPError(ModelError):
    """The endpoint answered with an error status that retrying will not fix."""

    code = "model_http_error"

    def __init__(self, message: str, *, status: int, model: str = "", endpoint: str = "",
                 body: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(f"HTTP {status}: {message}", model=model, endpoint=endpoint)


class ModelUnavailableError(ModelError):
    """Transient failures (429, 5xx, timeouts, dropped connections) outlasted every retry."""

    code = "model_unavailable"


class ModelOutputError(ModelError):
    """The model's output could not be used: not JSON, not matching the schema, and so on."""

    code = "model_output_error"


class ReplayMissError(ModelError):
    """Replay-only mode found no recorded response for this exact request."""

    code = "replay_miss"


class ToolError(WorkbenchError):
    """Raised by a tool to send a clean error message back to the model."""

    code = "tool_error"


class LearningError(WorkbenchError):
    """The LearningMachine was configured or used in a way it cannot honour."""

    code = "learning_error"


class UnsupportedModeError(LearningError, ConfigError):
    """A store was given a learning mode it cannot honour."""

    code = "unsupported_mode"


class NamespaceError(LearningError):
    """A scoped read or write lacked the id its namespace requires (fails closed)."""

    code = "namespace_error"


class StoreError(WorkbenchError):
    """The storage backend failed or holds data the workbench cannot use."""

    code = "store_error"


class EmbedderMismatchError(StoreError):
    """A collection built with one embedder was opened with another."""

    code = "embedder_mismatch"


class ExtractionError(LearningError):
    """ALWAYS-mode extraction output was invalid; nothing was written."""

    code = "extraction_error"


class DatasetError(WorkbenchError):
    """A dataset file is missing or malformed."""

    code = "dataset_error"


class EvalError(WorkbenchError):
    """An evaluation could not run (recorded per sample where possible)."""

    code = "eval_error"
