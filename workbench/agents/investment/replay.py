"""Replay a whole meeting sequence through the engine and score every decision.

The agent's decisions are booked on the engine's ledger in meeting order, so each meeting is
scored against the book the agent actually built; scenario meetings use their hypothetical book
and leave the real one untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.agents.investment.data import (
    Expectation,
    FixtureSet,
    Mandate,
    Meeting,
    investment_dir,
    load_expectations,
    load_fixtures,
    load_ledger,
    load_mandate,
    load_meetings,
)
from workbench.agents.investment.engine import PRE_EARNINGS_LESSON, LessonRule
from workbench.agents.investment.ledger import Ledger
from workbench.agents.investment.memos import MemoArchive
from workbench.agents.investment.scoring import (
    Decision,
    MeetingScore,
    Summary,
    score_decision,
    summarize,
)


@dataclass
class SequenceResult:
    """Per-meeting scores and the agent's book at the end of the sequence."""

    scores: list[MeetingScore]
    ledger: Ledger
    summary: Summary = field(init=False)

    def __post_init__(self) -> None:
        self.summary = summarize(self.scores)

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per meeting (``pandas.DataFrame(result.records())``)."""
        return [s.to_record() for s in self.scores]


def score_sequence(decisions: Iterable[Decision], *, meetings: Sequence[Meeting] | None = None,
                   expectations: Mapping[str, Expectation] | None = None,
                   fixtures: FixtureSet | None = None, mandate: Mandate | None = None,
                   ledger: Ledger | None = None, memos: MemoArchive | None = None,
                   lesson_rules: Sequence[LessonRule] = (PRE_EARNINGS_LESSON,),
                   ) -> SequenceResult:
    """Replay the meetings in order, booking each decision on the engine's ledger and scoring
    it. Scenario meetings are scored on their hypothetical book and leave the real one alone.
    Meetings without a decision are skipped (nothing is booked). Defaults load the dataset."""
    meetings = list(meetings if meetings is not None else load_meetings())
    expectations = expectations if expectations is not None else load_expectations()
    fixtures = fixtures or load_fixtures()
    mandate = mandate or load_mandate()
    book = ledger.copy() if ledger is not None else load_ledger()
    memos = memos or MemoArchive(investment_dir() / "memos")
    by_id = {d.meeting_id: d for d in decisions}
    lesson_index = min((m.index for m in meetings if m.kind == "lesson"), default=None)
    scores = []
    for meeting in meetings:
        decision = by_id.get(meeting.id)
        if decision is None:
            continue
        expectation = expectations[meeting.id]
        scenario = meeting.scenario_ledger is not None
        before = load_ledger(meeting.scenario_ledger) if scenario else book
        precedent = (memos.get(expectation.precedent_memo)
                     if expectation.precedent_memo else None)
        active = lesson_index is not None and meeting.index >= lesson_index
        score, after = score_decision(decision, meeting, expectation, before, fixtures, mandate,
                                      precedent=precedent, lesson_active=active,
                                      lesson_rules=lesson_rules)
        scores.append(score)
        if not scenario:
            book = after
    return SequenceResult(scores, book)
