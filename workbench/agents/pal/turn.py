"""The offline policy's view of one turn, derived from the request alone.

Everything the policy "knows" is computed here from the :class:`OfflineView`: today's date
from the system prompt, the preferences in the recalled memory blocks and in this session's
earlier messages, the files it has read and the notes its tools returned so far in this turn.
Nothing is cached between calls.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from workbench.agents.pal.language import (
    Preference,
    block_lines,
    merge,
    parse_statements,
    profile_preferences,
)
from workbench.agents.pal.request import Intent, classify
from workbench.models import OfflineView, ToolCall


def parse_json(text: str) -> Any:
    """A tool result as JSON, or None when it is plain text."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None


@dataclass
class Turn:
    """One request to the policy, with derived facts."""

    view: OfflineView

    @property
    def message(self) -> str:
        return self.view.last_user

    @cached_property
    def history(self) -> list[str]:
        """Earlier user messages of this session."""
        return self.view.history_user_messages()

    @cached_property
    def intent(self) -> Intent:
        return classify(self.message, self.history)

    @cached_property
    def today(self) -> date:
        match = re.search(r"Today is (\d{4}-\d{2}-\d{2})", self.view.system)
        # The agent's instructions always carry the date; the fallback is for bare prompts.
        return date.fromisoformat(match.group(1)) if match else date.today()

    @cached_property
    def steps(self) -> list[tuple[ToolCall, str]]:
        return self.view.turn_steps()

    def calls(self, name: str) -> list[tuple[ToolCall, str]]:
        """(call, result) pairs of one tool made in this turn."""
        return [(c, r) for c, r in self.steps if c.name == name]

    def called(self, name: str, **arguments: Any) -> bool:
        """Whether ``name`` was called in this turn with these arguments (a subset)."""
        return any(all((c.arguments or {}).get(k) == v for k, v in arguments.items())
                   for c, _ in self.calls(name))

    @cached_property
    def files(self) -> list[str] | None:
        """The file listing, once list_files ran (None before)."""
        for _, result in self.calls("list_files"):
            value = parse_json(result)
            if isinstance(value, list):
                return [str(v) for v in value]
        return None

    @cached_property
    def read(self) -> dict[str, str]:
        """Path → text of every file read successfully in this turn."""
        return {str((c.arguments or {}).get("path")): r for c, r in self.calls("read_file")
                if not r.startswith("Error:")}

    def attempted(self, path: str) -> bool:
        """Whether read_file was tried on ``path`` (successfully or not)."""
        return self.called("read_file", path=path)

    @cached_property
    def notes(self) -> list[dict[str, Any]]:
        """Every note or meeting record any tool returned in this turn, first seen first."""
        seen: dict[str, dict[str, Any]] = {}
        for call, result in self.steps:
            if call.name not in ("search_notes", "get_note", "find_meetings"):
                continue
            value = parse_json(result)
            rows = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            for row in rows:
                if isinstance(row, dict) and "id" in row and "body" in row:
                    seen.setdefault(str(row["id"]), row)
        return list(seen.values())

    @cached_property
    def preferences(self) -> dict[str, Preference]:
        """Field → preference from everything in context; the latest word wins.

        Order, oldest to newest: this session's earlier messages, recalled memories,
        recalled corrections, the profile, the current message.
        """
        system = self.view.system
        said = [p for m in self.history for p in parse_statements(m)]
        memories = [p for line in block_lines(system, "user_memory")
                    for p in parse_statements(re.sub(r"^- \[[^\]]+\]\s*", "", line))]
        corrections = [p for _, body in self.learnings("Correction:")
                       for p in parse_statements(body)]
        return merge(said, memories, corrections, profile_preferences(system),
                     parse_statements(self.message))

    @cached_property
    def profile(self) -> dict[str, str]:
        """Field label → value from the recalled profile block."""
        block = block_lines(self.view.system, "user_profile")
        return {k.strip().casefold(): v.strip() for k, _, v in
                (line.partition(": ") for line in block) if v}

    def learnings(self, prefix: str) -> list[tuple[str, str]]:
        """(title, body) of recalled learnings whose title starts with ``prefix``."""
        lines = block_lines(self.view.system, "relevant_learnings")
        out: list[tuple[str, str]] = []
        for i, line in enumerate(lines):
            head = re.match(r"^\[[^\]]+\]\s*(.*)$", line)
            if head and head.group(1).startswith(prefix):
                body = []
                for follow in lines[i + 1:]:
                    if re.match(r"^\[[^\]]+\]", follow):
                        break
                    body.append(follow.strip())
                out.append((head.group(1), " ".join(body)))
        return out
