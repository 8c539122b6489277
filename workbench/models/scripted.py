"""The offline model's scripted mode, for tests: replies given in advance.

``ScriptedModel(["hello"])`` answers "hello" once. A script item may be a text, a tool call
(from :func:`~workbench.models.offline.call`), a list of tool calls, a dict (a structured-output
reply), a :class:`ModelResponse`, an exception instance (raised at that step), or a callable
taking the :class:`OfflineView` and returning any of those. A callable can also be the whole
script. Every request is recorded in ``requests``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workbench.errors import ModelError
from workbench.models.offline import OfflineView, to_response
from workbench.models.types import ModelRequest, ModelResponse


class ScriptedModel:
    """A model that replays a fixed script; raises when the script is exhausted."""

    endpoint = "offline"
    __test__ = False  # not a pytest test class

    def __init__(self, script: Sequence[Any] | Callable[[OfflineView], Any], *,
                 name: str = "offline-scripted") -> None:
        self.name = name
        self._script = script
        self._position = 0
        self.requests: list[ModelRequest] = []

    def __repr__(self) -> str:
        return f"ScriptedModel(step={self._position})"

    @property
    def remaining(self) -> int:
        if callable(self._script):
            return 0
        return len(self._script) - self._position

    def assert_complete(self) -> None:
        """Fail when script items were never used (the test expected more calls)."""
        if self.remaining:
            raise AssertionError(f"{self.remaining} scripted replies were never requested")

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        view = OfflineView(request)
        if callable(self._script):
            item = self._script(view)
        else:
            if self._position >= len(self._script):
                raise ModelError(f"scripted model exhausted after {self._position} replies",
                                 model=self.name, endpoint=self.endpoint)
            item = self._script[self._position]
            self._position += 1
            if callable(item) and not isinstance(item, BaseException):
                item = item(view)
        if isinstance(item, BaseException):
            raise item
        return to_response(item, request, model=self.name)
