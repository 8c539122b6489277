"""Typed access to the Pal dataset under ``datasets/pal/``.

Layout (see ``datasets/pal/README.md``): ``context/<user>/`` is what the agent may read,
``notes/<user>.jsonl`` seeds its notes store, ``scripts/<user>.jsonl`` is what the user says,
and ``rules.json`` plus ``expectations/<user>.json`` are grader-side only: an agent must never
be given them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.errors import DatasetError
from workbench.settings import datasets_dir as settings_datasets_dir

USERS: tuple[str, ...] = ("user_a", "user_b")
"""The two fictional users in the dataset."""

STATUSES: tuple[str, ...] = ("active", "pending", "superseded")
"""Per-turn rule status: in force, not stated yet, or replaced by a later rule."""

DATASETS_ENV = "WORKBENCH_DATASETS"


def datasets_dir() -> Path:
    """The repository's ``datasets/`` folder (see :func:`workbench.settings.datasets_dir`)."""
    return settings_datasets_dir()


def pal_dir() -> Path:
    """``<datasets>/pal``."""
    return datasets_dir() / "pal"


def _check_user(user_id: str) -> str:
    if user_id not in USERS:
        raise DatasetError(f"unknown Pal user {user_id!r}; expected one of {USERS}")
    return user_id


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"missing Pal dataset file: {path}") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: invalid JSON ({exc})") from None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DatasetError(f"missing Pal dataset file: {path}") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: invalid JSON ({exc})") from None
    return rows


# --- rules --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One user preference with a deterministic checker.

    ``source`` is ``"file:<path relative to the user's context folder>"`` or
    ``"conversation"``. ``channels`` may contain ``"*"`` (every output, replies included).
    ``target`` says whether the checker reads the draft text or the proposed file name.
    """

    id: str
    user_id: str
    source: str
    channels: tuple[str, ...]
    target: str
    checker: str
    params: Mapping[str, Any]
    description: str
    supersedes: tuple[str, ...] = ()

    @property
    def from_conversation(self) -> bool:
        """True when the rule exists only because the user said it in a session."""
        return self.source == "conversation"

    @property
    def source_path(self) -> str | None:
        """The context file that states the rule, or None for a conversation rule."""
        return self.source.removeprefix("file:") if self.source.startswith("file:") else None

    def applies_to(self, channel: str) -> bool:
        """Whether the rule governs output on ``channel``."""
        return "*" in self.channels or channel in self.channels

    def with_params(self, overrides: Mapping[str, Any] | None) -> Rule:
        """A copy with some parameters replaced (per-turn overrides such as an expected tag)."""
        if not overrides:
            return self
        return replace(self, params={**self.params, **overrides})


def load_rules(user_id: str | None = None) -> dict[str, Rule]:
    """Rules from ``rules.json`` keyed by id, in file order; one user's when given."""
    raw = _read_json(pal_dir() / "rules.json")
    rules: dict[str, Rule] = {}
    for item in raw["rules"]:
        if user_id is not None and item["user_id"] != _check_user(user_id):
            continue
        if item["target"] not in ("text", "filename"):
            raise DatasetError(f"rule {item['id']}: target must be 'text' or 'filename'")
        rules[item["id"]] = Rule(
            id=item["id"], user_id=item["user_id"], source=item["source"],
            channels=tuple(item["channels"]), target=item["target"], checker=item["checker"],
            params=dict(item.get("params", {})), description=item["description"],
            supersedes=tuple(item.get("supersedes", ())),
        )
    return rules


# --- notes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Note:
    """A note or a meeting record in a user's stream. ``attendees`` excludes the user."""

    id: str
    user_id: str
    date: str
    kind: str
    title: str
    attendees: tuple[str, ...]
    body: str
    tags: tuple[str, ...]
    project: str | None


def load_notes(user_id: str) -> list[Note]:
    """One user's notes and meeting records, oldest first."""
    rows = _read_jsonl(pal_dir() / "notes" / f"{_check_user(user_id)}.jsonl")
    return [Note(id=r["id"], user_id=r["user_id"], date=r["date"], kind=r["kind"],
                 title=r["title"], attendees=tuple(r.get("attendees", ())), body=r["body"],
                 tags=tuple(r.get("tags", ())), project=r.get("project")) for r in rows]


# --- scripts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """What output a user turn asks for. Turns that only state something have no task.

    ``type`` is one of draft, filename, retrieval, recurring, capture. ``channel`` is set for
    drafts; ``file_kind`` for filename requests; ``wants_filename`` when a name is requested.
    """

    type: str
    channel: str | None = None
    file_kind: str | None = None
    wants_filename: bool = False

    @property
    def output_channel(self) -> str | None:
        """The channel whose rules govern the reply (``"reply"`` for answers)."""
        if self.type in ("retrieval", "recurring"):
            return "reply"
        return self.channel or self.file_kind


@dataclass(frozen=True)
class ScriptTurn:
    """One thing a user says, in order. ``date`` is the session's frozen "today"."""

    user_id: str
    session: int
    turn: int
    date: str
    text: str
    task: Task | None = None

    @property
    def key(self) -> tuple[int, int]:
        """(session, turn), the order of the conversation."""
        return (self.session, self.turn)


def load_script(user_id: str) -> list[ScriptTurn]:
    """One user's turns, in session and turn order."""
    rows = _read_jsonl(pal_dir() / "scripts" / f"{_check_user(user_id)}.jsonl")
    turns = []
    for r in rows:
        task = None
        if "task" in r:
            t = r["task"]
            task = Task(type=t["type"], channel=t.get("channel"), file_kind=t.get("file_kind"),
                        wants_filename=t["type"] == "filename" or bool(t.get("filename")))
        turns.append(ScriptTurn(user_id=user_id, session=r["session"], turn=r["turn"],
                                date=r["date"], text=r["text"], task=task))
    return sorted(turns, key=lambda t: t.key)


def load_schedule() -> list[tuple[str, int]]:
    """The order in which the two users' sessions run: [(user_id, session), ...]."""
    raw = _read_json(pal_dir() / "scripts" / "schedule.json")
    return [(item["user_id"], int(item["session"])) for item in raw["order"]]


# --- expectations -------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleEvent:
    """A conversation rule was stated, or a rule was superseded by another, at a turn."""

    rule_id: str
    session: int
    turn: int
    event: str
    by: str | None = None


@dataclass(frozen=True)
class TurnExpectation:
    """Grader-side facts about one user turn."""

    user_id: str
    session: int
    turn: int
    kind: str
    channel: str | None
    filename_expected: bool
    rules: Mapping[str, str]
    param_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    expected_date: str | None = None
    retrieval_id: str | None = None
    recurring_id: str | None = None
    must_not_follow: tuple[str, ...] = ()

    def rule_ids(self, *statuses: str) -> list[str]:
        """Ids of the rules listed for this turn with one of ``statuses`` (all when none)."""
        return [rid for rid, s in self.rules.items() if not statuses or s in statuses]

    def resolve(self, rules: Mapping[str, Rule], *statuses: str) -> list[Rule]:
        """The listed rules (optionally by status) with this turn's parameter overrides."""
        return [rules[rid].with_params(self.param_overrides.get(rid))
                for rid in self.rule_ids(*statuses)]


@dataclass(frozen=True)
class Source:
    """Where a gold fact lives: a note or meeting id, or a context file path."""

    kind: str
    ref: str


@dataclass(frozen=True)
class RetrievalGold:
    """Facts a retrieval answer must contain; each fact is a tuple of accepted spellings."""

    id: str
    must_include: tuple[tuple[str, ...], ...]
    must_exclude: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    warm_of: str | None = None


@dataclass(frozen=True)
class RecurringMeeting:
    """A gold recurring meeting. ``title_pattern`` is a regex searched in a named meeting."""

    id: str
    name: str
    title_pattern: str
    cadence: str
    attendees: tuple[str, ...]
    occurrences: tuple[str, ...]


@dataclass(frozen=True)
class OneOff:
    """A meeting that happened once (or ad hoc) and must not be called recurring."""

    name: str
    title_pattern: str


@dataclass(frozen=True)
class RecurringGold:
    """All recurring meetings of a user, the one-offs that look like them, names to ignore."""

    id: str
    meetings: tuple[RecurringMeeting, ...]
    one_offs: tuple[OneOff, ...] = ()
    ignore_attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserExpectations:
    """Everything the grader knows about one user's run."""

    user_id: str
    rule_events: tuple[RuleEvent, ...]
    turns: tuple[TurnExpectation, ...]
    retrieval: Mapping[str, RetrievalGold]
    recurring: RecurringGold
    leak_markers: tuple[str, ...]
    secret_markers: tuple[str, ...]

    def turn(self, session: int, turn: int) -> TurnExpectation:
        """The expectation for one turn; DatasetError when there is none."""
        for item in self.turns:
            if (item.session, item.turn) == (session, turn):
                return item
        raise DatasetError(f"{self.user_id}: no expectation for session {session} turn {turn}")

    def stated_sessions(self) -> dict[str, int]:
        """Session in which each conversation rule was first stated."""
        out: dict[str, int] = {}
        for event in self.rule_events:
            if event.event == "stated":
                out.setdefault(event.rule_id, event.session)
        return out


def _sources(items: Iterable[Mapping[str, str]]) -> tuple[Source, ...]:
    return tuple(Source(kind=s["kind"], ref=s["ref"]) for s in items)


def load_expectations(user_id: str) -> UserExpectations:
    """Grader-side expectations for one user. Never hand these to an agent."""
    raw = _read_json(pal_dir() / "expectations" / f"{_check_user(user_id)}.json")
    turns = tuple(TurnExpectation(
        user_id=user_id, session=t["session"], turn=t["turn"], kind=t["kind"],
        channel=t.get("channel"), filename_expected=bool(t.get("filename_expected")),
        rules=dict(t.get("rules", {})), param_overrides=dict(t.get("param_overrides", {})),
        expected_date=t.get("expected_date"), retrieval_id=t.get("retrieval_id"),
        recurring_id=t.get("recurring_id"), must_not_follow=tuple(t.get("must_not_follow", ())),
    ) for t in raw["turns"])
    retrieval = {g["id"]: RetrievalGold(
        id=g["id"], must_include=tuple(tuple(alts) for alts in g.get("must_include", ())),
        must_exclude=tuple(g.get("must_exclude", ())), sources=_sources(g.get("sources", ())),
        warm_of=g.get("warm_of"),
    ) for g in raw["retrieval"]}
    rec = raw["recurring"]
    recurring = RecurringGold(
        id=rec["id"],
        meetings=tuple(RecurringMeeting(
            id=m["id"], name=m["name"], title_pattern=m["title_pattern"], cadence=m["cadence"],
            attendees=tuple(m["attendees"]), occurrences=tuple(m.get("occurrences", ())),
        ) for m in rec["meetings"]),
        one_offs=tuple(OneOff(name=o["name"], title_pattern=o["title_pattern"])
                       for o in rec.get("one_offs", ())),
        ignore_attendees=tuple(rec.get("ignore_attendees", ())),
    )
    events = tuple(RuleEvent(rule_id=e["rule_id"], session=e["session"], turn=e["turn"],
                             event=e["event"], by=e.get("by")) for e in raw["rule_events"])
    markers = raw["leak_markers"]
    return UserExpectations(
        user_id=user_id, rule_events=events, turns=turns, retrieval=retrieval,
        recurring=recurring, leak_markers=tuple(m["marker"] for m in markers),
        secret_markers=tuple(m["marker"] for m in markers if m.get("kind") == "secret"),
    )


# --- the context folder -------------------------------------------------------------------

def context_dir(user_id: str) -> Path:
    """The user's personal context folder (what the agent's file tools may read)."""
    return pal_dir() / "context" / _check_user(user_id)


def context_files(user_id: str) -> list[str]:
    """Paths of every file in the user's context folder, relative to it, sorted."""
    root = context_dir(user_id)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def copy_context(user_id: str, dest: Path) -> Path:
    """Copy the user's context folder to ``dest`` as a writable sandbox and return it.

    ``meetings/`` and ``projects/`` are created if missing, since the agent saves there.
    """
    dest = Path(dest)
    shutil.copytree(context_dir(user_id), dest, dirs_exist_ok=True)
    for folder in ("meetings", "projects"):
        (dest / folder).mkdir(exist_ok=True)
    return dest
