"""Scores for Pal runs: adherence, retention, conflict resolution, leaks, retrieval.

Recurring-meeting scoring lives in ``recurring.py`` and is re-exported here. Every function is
pure: it takes what the agent produced plus the grader-side expectations and returns numbers,
so a notebook can build a DataFrame from the outcomes in one line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from workbench.agents.pal._text import normalize_for_match
from workbench.agents.pal.checkers import evaluate_rule
from workbench.agents.pal.data import STATUSES, RetrievalGold, Rule, TurnExpectation
from workbench.agents.pal.recurring import (
    PredictedMeeting,
    RecurringScore,
    normalize_cadence,
    recurring_from_text,
    roster_from_notes,
    score_recurring,
)

__all__ = [
    "Adherence",
    "ConflictScore",
    "LeakHit",
    "PredictedMeeting",
    "RecurringScore",
    "RetentionPoint",
    "RetrievalScore",
    "RuleOutcome",
    "adherence",
    "conflict_resolution",
    "detect_leaks",
    "find_markers",
    "foreign_rule_leaks",
    "normalize_cadence",
    "recurring_from_text",
    "retention_curve",
    "roster_from_notes",
    "score_recurring",
    "score_retrieval",
    "score_turn",
]


# --- adherence ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleOutcome:
    """One rule checked on one turn's output, labelled with the rule's status at that turn."""

    user_id: str
    session: int
    turn: int
    channel: str
    rule_id: str
    status: str
    source: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        """A flat dict, for ``pandas.DataFrame([o.as_dict() for o in outcomes])``."""
        return asdict(self)


def score_turn(draft: str, expectation: TurnExpectation, rules: Mapping[str, Rule], *,
               filename: str | None = None,
               statuses: Sequence[str] = STATUSES) -> list[RuleOutcome]:
    """Check one turn's output against every rule the expectation lists for it.

    Pending and superseded rules are checked too (unless ``statuses`` narrows it), so the same
    records give adherence before a preference was stated and after it was replaced. When the
    turn asked for a file name and ``filename`` is None, filename rules fail ("none proposed").
    """
    if filename is None and expectation.filename_expected:
        filename = ""
    outcomes = []
    for rule in expectation.resolve(rules, *statuses):
        if rule.target == "filename" and filename is None:
            continue
        result = evaluate_rule(rule, draft, filename=filename)
        outcomes.append(RuleOutcome(
            user_id=expectation.user_id, session=expectation.session, turn=expectation.turn,
            channel=expectation.channel or "", rule_id=rule.id,
            status=expectation.rules[rule.id],
            source="conversation" if rule.from_conversation else "file",
            passed=result.passed, detail=result.detail,
        ))
    return outcomes


@dataclass(frozen=True)
class Adherence:
    """Passed out of checked."""

    n: int
    passed: int

    @property
    def rate(self) -> float | None:
        """Share passed; None when nothing was checked."""
        return self.passed / self.n if self.n else None


def adherence(outcomes: Iterable[RuleOutcome], *, by: str | Sequence[str] = "rule_id",
              statuses: Sequence[str] = ("active",)) -> dict[object, Adherence]:
    """Adherence grouped by one outcome field (a str key) or several (a tuple key).

    Only outcomes whose status is in ``statuses`` count: by default, rules in force. Use
    ``statuses=("pending",)`` for the cold baseline of conversation rules.
    """
    fields = (by,) if isinstance(by, str) else tuple(by)
    counts: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        if outcome.status not in statuses:
            continue
        values = tuple(getattr(outcome, f) for f in fields)
        key = values[0] if isinstance(by, str) else values
        counts[key][0] += 1
        counts[key][1] += int(outcome.passed)
    return {key: Adherence(n=n, passed=p) for key, (n, p) in counts.items()}


@dataclass(frozen=True)
class RetentionPoint:
    """Adherence to conversation rules, some number of sessions after they were stated."""

    sessions_since: int
    n: int
    passed: int

    @property
    def rate(self) -> float | None:
        """Share passed; None when nothing was checked."""
        return self.passed / self.n if self.n else None


def retention_curve(outcomes: Iterable[RuleOutcome],
                    stated_sessions: Mapping[str, int]) -> list[RetentionPoint]:
    """Adherence of active rules by sessions since their statement (0 = same session).

    ``stated_sessions`` maps rule id to session, e.g. ``UserExpectations.stated_sessions()``;
    outcomes for other rules are ignored.
    """
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        stated = stated_sessions.get(outcome.rule_id)
        if stated is None or outcome.status != "active":
            continue
        counts[outcome.session - stated][0] += 1
        counts[outcome.session - stated][1] += int(outcome.passed)
    return [RetentionPoint(sessions_since=k, n=n, passed=p)
            for k, (n, p) in sorted(counts.items())]


@dataclass(frozen=True)
class ConflictScore:
    """How often the newer rule won a conflict with the rule it replaced."""

    n: int
    winner_followed: int
    loser_followed: int

    @property
    def winner_rate(self) -> float | None:
        """Share of turns where the newer rule was followed."""
        return self.winner_followed / self.n if self.n else None


def conflict_resolution(outcomes: Iterable[RuleOutcome], winner: str,
                        loser: str) -> ConflictScore:
    """Score turns where ``winner`` is active and ``loser`` superseded (both were checked).

    For the hashtag conflict the two ranges do not overlap, so ``loser_followed`` counts the
    drafts that obeyed the file instead of the conversation.
    """
    by_turn: dict[tuple[str, int, int], dict[str, RuleOutcome]] = defaultdict(dict)
    for outcome in outcomes:
        if outcome.rule_id in (winner, loser):
            by_turn[(outcome.user_id, outcome.session, outcome.turn)][outcome.rule_id] = outcome
    n = won = lost = 0
    for pair in by_turn.values():
        new, old = pair.get(winner), pair.get(loser)
        if new is None or new.status != "active" or (old is not None
                                                     and old.status != "superseded"):
            continue
        n += 1
        won += int(new.passed)
        lost += int(old is not None and old.passed)
    return ConflictScore(n=n, winner_followed=won, loser_followed=lost)


def foreign_rule_leaks(draft: str, expectation: TurnExpectation, rules: Mapping[str, Rule], *,
                       filename: str | None = None) -> list[str]:
    """Ids of the other user's distinctive rules that this draft nevertheless follows.

    The rules in ``must_not_follow`` (e.g. user A's "sign as 'J.'" on user B's email) can only
    be satisfied by accident or by a preference leaking across users.
    """
    leaked = []
    for rule_id in expectation.must_not_follow:
        rule = rules[rule_id]
        if rule.target == "filename" and not filename:
            continue
        if evaluate_rule(rule, draft, filename=filename).passed:
            leaked.append(rule_id)
    return leaked


# --- leaks --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeakHit:
    """A marker owned by one user found in what another user received."""

    receiver: str
    owner: str
    marker: str
    text_index: int
    excerpt: str


def find_markers(text: str, markers: Iterable[str]) -> list[tuple[str, int]]:
    """(marker, position in the folded text) for every marker occurrence in ``text``.

    Matching ignores case, accents, dash variants and runs of whitespace, so "SJOBERG" finds
    "Sjöberg" and a marker split across a line break still counts.
    """
    folded = normalize_for_match(text)
    hits = []
    for marker in markers:
        needle = normalize_for_match(marker)
        if needle:
            hits += [(marker, m.start()) for m in re.finditer(re.escape(needle), folded)]
    return hits


def detect_leaks(received: Mapping[str, Iterable[str]],
                 markers: Mapping[str, Iterable[str]]) -> list[LeakHit]:
    """Every marker of one user found in anything another user received.

    ``received`` maps a user id to all the text that user was shown or that was put in front
    of the model on their behalf: replies, drafts, recalled memory and context blocks, tool
    results. ``markers`` maps a user id to that user's marker strings. Zero hits is the target.
    """
    marker_lists = {owner: list(items) for owner, items in markers.items()}
    hits: list[LeakHit] = []
    for receiver, texts in received.items():
        for index, text in enumerate(texts):
            folded = normalize_for_match(text)
            for owner, owned in marker_lists.items():
                if owner == receiver:
                    continue
                for marker, pos in find_markers(text, owned):
                    excerpt = folded[max(0, pos - 40): pos + len(marker) + 40]
                    hits.append(LeakHit(receiver, owner, marker, index, excerpt))
    return hits


# --- retrieval ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RetrievalScore:
    """Which gold facts an answer contains, and whether it mentions anything forbidden."""

    found: tuple[str, ...]
    missing: tuple[str, ...]
    forbidden: tuple[str, ...]

    @property
    def fraction(self) -> float:
        """Share of gold facts found (1.0 when the gold lists none)."""
        total = len(self.found) + len(self.missing)
        return len(self.found) / total if total else 1.0

    @property
    def complete(self) -> bool:
        """All gold facts present and nothing forbidden mentioned."""
        return not self.missing and not self.forbidden


def score_retrieval(answer: str, gold: RetrievalGold) -> RetrievalScore:
    """Check an answer for every gold fact (any accepted spelling) and every forbidden string.

    Facts are reported by their first spelling. Matching folds case, accents and whitespace.
    """
    folded = normalize_for_match(answer)
    found, missing = [], []
    for alternatives in gold.must_include:
        hit = any(normalize_for_match(a) in folded for a in alternatives)
        (found if hit else missing).append(alternatives[0])
    forbidden = [m for m in gold.must_exclude if normalize_for_match(m) in folded]
    return RetrievalScore(found=tuple(found), missing=tuple(missing), forbidden=tuple(forbidden))
