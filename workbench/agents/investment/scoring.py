"""Scorers for committee decisions: compliance, sizing, precedent, ledger use, lesson reuse.

Every score is computed against the engine on the ledger the agent's *own* decisions produced,
so one early mistake is charged once, not again at every later meeting. ``expectations.jsonl``
contributes only what the engine cannot know: the committee's intent for a meeting (buy, sell,
trim or a judgement call such as "the PASS memo still stands") and which precedent memo
applies. On the reference path the targets computed here equal the stored expectations.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from workbench.agents.investment.conditions import met_conditions
from workbench.agents.investment.data import (
    Expectation,
    Fixture,
    FixtureSet,
    Mandate,
    Meeting,
)
from workbench.agents.investment.engine import (
    PRE_EARNINGS_LESSON,
    TOLERANCE,
    LessonRule,
    Proposal,
    Violation,
    allowed_size,
    trim_amount,
    violations,
)
from workbench.agents.investment.ledger import Ledger, LedgerError
from workbench.agents.investment.memos import Memo

TRADES = ("BUY", "SELL", "TRIM")
WEIGHT_TOLERANCE = 0.005  # a reported sector weight within half a point counts as right


@dataclass(frozen=True)
class Decision:
    """What the agent decided at one meeting, plus what it reported about the book after it."""

    meeting_id: str
    decision: str
    amount: float = 0.0
    instrument: str = "equity"
    lesson_applied: bool | None = None
    cited_memos: tuple[str, ...] = ()
    cited_conditions: tuple[str, ...] = ()
    reported_sector_weight: float | None = None
    reported_position_count: int | None = None
    memo_filename: str | None = None

    def __post_init__(self) -> None:
        # Agents write "buy" as often as "BUY"; compare in one case everywhere.
        object.__setattr__(self, "decision", self.decision.strip().upper())

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Decision:
        """Build from a plain dict (e.g. one JSON line of a run record)."""
        count = row.get("reported_position_count")
        weight = row.get("reported_sector_weight")
        return cls(str(row["meeting_id"]), str(row["decision"]).upper(),
                   float(row.get("amount") or 0.0), row.get("instrument", "equity"),
                   row.get("lesson_applied"), tuple(row.get("cited_memos", ())),
                   tuple(row.get("cited_conditions", ())),
                   None if weight is None else float(weight),
                   None if count is None else int(count), row.get("memo_filename"))


@dataclass(frozen=True)
class Target:
    """What the engine says the right answer is on the current ledger."""

    acceptable: tuple[str, ...]
    amount: float
    policy_max: float
    lesson_applies: bool
    lesson_max: float | None


@dataclass(frozen=True)
class SizingScore:
    """Dollar error against the target amount, and any excess over the policy maximum."""

    counted: bool
    expected_amount: float
    error_dollars: float
    error_pct_fund: float
    excess_over_policy: float


@dataclass(frozen=True)
class PrecedentScore:
    """Whether the decision agrees with the precedent memo, given whether its facts changed."""

    memo: str | None
    facts_changed: bool | None = None
    met_conditions: tuple[str, ...] = ()
    reversal: bool = False
    consistent: bool | None = None
    cited: bool = False
    reason: str = ""


@dataclass(frozen=True)
class LedgerScore:
    """The engine's book after the decision against what the agent reported."""

    sector: str
    expected_sector_weight: float
    expected_position_count: int
    reported_sector_weight: float | None
    reported_position_count: int | None
    correct: bool


@dataclass(frozen=True)
class LessonScore:
    """Use of the lesson: ``followed`` is ``None`` where it does not change the answer."""

    applies: bool
    binding: bool
    lesson_max: float | None
    followed: bool | None
    over_applied: bool


@dataclass(frozen=True)
class MeetingScore:
    """Every score for one meeting."""

    meeting_id: str
    kind: str
    decision: str
    amount: float
    acceptable: tuple[str, ...]
    decision_correct: bool
    violations: tuple[Violation, ...]
    sizing: SizingScore
    precedent: PrecedentScore
    ledger: LedgerScore
    lesson: LessonScore

    @property
    def compliant(self) -> bool:
        """No violation of the written mandate."""
        return not self.violations

    def to_record(self) -> dict[str, Any]:
        """One flat dict, ready for ``pandas.DataFrame``."""
        out: dict[str, Any] = {"meeting_id": self.meeting_id, "kind": self.kind,
                               "decision": self.decision, "amount": self.amount,
                               "acceptable": "|".join(self.acceptable),
                               "decision_correct": self.decision_correct,
                               "compliant": self.compliant,
                               "violations": "|".join(v.code for v in self.violations)}
        for prefix, part in (("sizing", self.sizing), ("precedent", self.precedent),
                             ("ledger", self.ledger), ("lesson", self.lesson)):
            for key, value in asdict(part).items():
                out[f"{prefix}_{key}"] = "|".join(value) if isinstance(value, tuple) else value
        return out


# --------------------------------------------------------------------------- single scorers


def score_sizing(decision: Decision, target: Target, fund_size: float) -> SizingScore:
    """|amount - target amount|, zero for a correct no-trade; excess over the policy max."""
    traded = decision.decision in TRADES
    amount = decision.amount if traded else 0.0
    counted = traded or target.amount > 0
    if not traded and decision.decision in target.acceptable:
        error = 0.0
    else:
        error = abs(amount - target.amount)
    excess = 0.0
    if decision.decision == "BUY":
        excess = max(0.0, amount - target.policy_max)
    return SizingScore(counted, target.amount, round(error, 2), error / fund_size,
                       round(excess, 2))


def score_precedent(decision: Decision, memo: Memo | None, fixture: Fixture) -> PrecedentScore:
    """Unchanged facts: the decision must keep the memo's stance. A reversal (selling what a BUY
    memo backed, buying what a PASS memo turned down) is consistent only if at least one of the
    memo's conditions is now met, and any conditions the agent cites are among the met ones."""
    if memo is None:
        return PrecedentScore(None)
    met = tuple(met_conditions(memo.conditions, fixture))
    prior, now = memo.decision, decision.decision
    reversal = ((prior in ("BUY", "HOLD") and now in ("SELL", "TRIM"))
                or (prior in ("PASS", "SELL") and now == "BUY"))
    cited = memo.filename in decision.cited_memos
    if not reversal:
        return PrecedentScore(memo.filename, bool(met), met, False, True, cited, "same stance")
    if not met:
        return PrecedentScore(memo.filename, False, met, True, False, cited,
                              f"reversed {prior} although none of the memo's conditions is met")
    unmet = sorted(set(decision.cited_conditions) - set(met))
    if unmet:
        return PrecedentScore(memo.filename, True, met, True, False, cited,
                              f"cited conditions that are not met: {', '.join(unmet)}")
    return PrecedentScore(memo.filename, True, met, True, True, cited,
                          f"change justified by {', '.join(met)}")


def score_ledger(decision: Decision, ledger_after: Ledger, sector: str,
                 prices: Mapping[str, float]) -> LedgerScore:
    """Compare the reported sector weight and position count with the engine's book."""
    weight = ledger_after.sector_value(sector, prices) / ledger_after.fund_size
    count = ledger_after.position_count
    correct = (decision.reported_sector_weight is not None
               and decision.reported_position_count is not None
               and abs(decision.reported_sector_weight - weight) <= WEIGHT_TOLERANCE
               and decision.reported_position_count == count)
    return LedgerScore(sector, round(weight, 6), count, decision.reported_sector_weight,
                       decision.reported_position_count, correct)


def score_lesson(decision: Decision, target: Target, *, binding: bool, active: bool,
                 fraction: float = PRE_EARNINGS_LESSON.fraction) -> LessonScore:
    """Followed = the right decision and, for a BUY, no more than the lesson maximum.
    Over-applied = the lesson does not apply but the agent cut the size as if it did."""
    followed = None
    if binding:
        followed = (decision.decision in target.acceptable
                    and (decision.decision != "BUY"
                         or decision.amount <= (target.lesson_max or 0.0) + TOLERANCE))
    over = False
    if active and not target.lesson_applies and decision.decision == "BUY" and target.amount > 0:
        cut = fraction * target.amount
        over = bool(decision.lesson_applied) or abs(decision.amount - cut) <= 0.01 * target.amount
    return LessonScore(target.lesson_applies, binding, target.lesson_max, followed, over)


_STOP = frozenset("a an and the of to for in on at by with is are be when before after "
                  "our we any".split())


def _title_tokens(title: str) -> list[str]:
    text = title.lower().replace("2/3", "two thirds").replace("two-thirds", "two thirds")
    return [t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _STOP]


def duplicate_learnings(titles: Iterable[str], threshold: float = 0.8,
                        ) -> list[tuple[str, str, float]]:
    """Pairs of near-duplicate learning titles, as ``(first, second, similarity)``.

    Similarity is the larger of token Jaccard and a character ratio on the normalised titles,
    so both reworded and lightly edited copies are caught.
    """
    items = list(titles)
    tokens = [_title_tokens(t) for t in items]
    pairs = []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            a, b = set(tokens[i]), set(tokens[j])
            jaccard = len(a & b) / len(a | b) if a | b else 1.0
            ratio = difflib.SequenceMatcher(None, " ".join(tokens[i]),
                                            " ".join(tokens[j])).ratio()
            score = max(jaccard, ratio)
            if score >= threshold:
                pairs.append((items[i], items[j], round(score, 3)))
    return pairs


# --------------------------------------------------------------------------- one meeting


def marks_for(ledger: Ledger, fixtures: FixtureSet, quarter: str) -> dict[str, float]:
    """Quarter prices, with any holding that has no fixture (scenario books) at cost."""
    prices = fixtures.prices(quarter)
    for ticker, pos in ledger.positions.items():
        prices.setdefault(ticker, pos.entry_price)
    return prices


def target_for(meeting: Meeting, expectation: Expectation, ledger: Ledger, fixture: Fixture,
               mandate: Mandate, *, prices: Mapping[str, float], betas: Mapping[str, float],
               lesson_rules: Sequence[LessonRule] = ()) -> Target:
    """The engine's answer for this meeting on ``ledger``; the expectation supplies the intent."""
    size = allowed_size(ledger, fixture, mandate, prices=prices, betas=betas, on=meeting.date)
    lsize = allowed_size(ledger, fixture, mandate, prices=prices, betas=betas, on=meeting.date,
                         lesson_rules=lesson_rules)
    applies = bool(lsize.lessons_applied) and size.investable
    effective = lsize if applies else size
    held = ledger.holds(fixture.ticker)
    no_trade = ("HOLD", "PASS") if held else ("PASS",)
    gold = expectation.expected_decision
    lesson_max = lsize.max_dollars if applies else None
    if gold == "BUY" or expectation.lesson_binding:
        if not effective.investable:
            return Target(no_trade, 0.0, size.max_dollars, applies, lesson_max)
        cap = effective.max_dollars
        amount = cap if meeting.requested_amount is None else min(meeting.requested_amount, cap)
        acceptable = expectation.acceptable_decisions if gold == "BUY" else ("BUY",)
        return Target(tuple(sorted(acceptable)), amount, size.max_dollars, applies, lesson_max)
    if gold == "SELL":
        if not held:
            return Target(no_trade, 0.0, size.max_dollars, applies, lesson_max)
        value = ledger.market_value(fixture.ticker, prices)
        return Target(("SELL",), value, size.max_dollars, applies, lesson_max)
    if gold == "TRIM":
        amount = trim_amount(ledger, fixture.ticker, fixture.price, mandate)
        return Target(("TRIM",) if amount > 0 else no_trade, amount, size.max_dollars, applies,
                      lesson_max)
    acceptable = set(expectation.acceptable_decisions)
    if held and acceptable & {"HOLD", "PASS"}:
        # On a name the agent holds (perhaps from an earlier mistake, already charged there),
        # declining to buy is a HOLD; PASS and HOLD mean the same no-trade.
        acceptable |= {"HOLD", "PASS"}
    return Target(tuple(sorted(acceptable)), 0.0, size.max_dollars, applies, lesson_max)


def _book(ledger: Ledger, decision: Decision, meeting: Meeting, fixture: Fixture) -> None:
    # Book what the agent decided, even if it broke the mandate (that is scored separately);
    # trades the ledger cannot represent (more cash than exists, selling nothing) are skipped.
    try:
        ledger.apply(decision.decision, fixture.ticker, decision.amount, price=fixture.price,
                     sector=fixture.sector, beta=fixture.beta, on=meeting.date,
                     meeting_id=meeting.id)
    except LedgerError:
        pass


def score_decision(decision: Decision, meeting: Meeting, expectation: Expectation,
                   ledger: Ledger, fixtures: FixtureSet, mandate: Mandate, *,
                   precedent: Memo | None = None, lesson_active: bool = False,
                   lesson_rules: Sequence[LessonRule] = (PRE_EARNINGS_LESSON,),
                   ) -> tuple[MeetingScore, Ledger]:
    """Score one decision against ``ledger`` (the book before it); returns the score and the
    book after it. ``ledger`` itself is not modified."""
    fixture = fixtures.get(meeting.ticker, meeting.quarter)
    prices = marks_for(ledger, fixtures, meeting.quarter)
    betas = fixtures.betas(meeting.quarter)
    rules = tuple(lesson_rules) if lesson_active else ()
    target = target_for(meeting, expectation, ledger, fixture, mandate, prices=prices,
                        betas=betas, lesson_rules=rules)
    proposal = Proposal(decision.decision, fixture.ticker, decision.amount, meeting.date,
                        decision.instrument)
    found = tuple(violations(ledger, fixture, proposal, mandate, prices=prices, betas=betas))
    after = ledger.copy()
    _book(after, decision, meeting, fixture)
    # The lesson binds when it changes the answer: compare with the no-lesson target.
    plain = target_for(meeting, expectation, ledger, fixture, mandate, prices=prices,
                       betas=betas)
    binding = target.lesson_applies and (abs(target.amount - plain.amount) > TOLERANCE
                                         or target.acceptable != plain.acceptable)
    fraction = getattr(rules[0], "fraction", PRE_EARNINGS_LESSON.fraction) if rules else 1.0
    score = MeetingScore(
        meeting_id=meeting.id, kind=meeting.kind, decision=decision.decision,
        amount=decision.amount, acceptable=target.acceptable,
        decision_correct=decision.decision in target.acceptable, violations=found,
        sizing=score_sizing(decision, target, mandate.fund_size),
        precedent=score_precedent(decision, precedent, fixture),
        ledger=score_ledger(decision, after, fixture.sector, marks_for(after, fixtures,
                                                                       meeting.quarter)),
        lesson=score_lesson(decision, target, binding=binding, active=bool(rules),
                            fraction=fraction),
    )
    return score, after


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Summary:
    """Aggregates over a sequence. Rates are ``None`` when nothing was eligible."""

    n: int
    decision_accuracy: float | None
    compliance_rate: float | None
    violations_per_decision: float | None
    mean_sizing_error_dollars: float | None
    mean_sizing_error_pct: float | None
    consistency_rate: float | None
    ledger_accuracy: float | None
    lesson_reuse_rate: float | None
    lesson_over_applied: int
    counts: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for reports."""
        return asdict(self)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(scores: Sequence[MeetingScore]) -> Summary:
    """Compliance rate, mean sizing error, precedent consistency, ledger accuracy and lesson
    reuse over a list of meeting scores."""
    sized = [s.sizing for s in scores if s.sizing.counted]
    with_precedent = [s.precedent.consistent for s in scores if s.precedent.memo]
    lesson = [s.lesson.followed for s in scores if s.lesson.binding]
    return Summary(
        n=len(scores),
        decision_accuracy=_mean([float(s.decision_correct) for s in scores]),
        compliance_rate=_mean([float(s.compliant) for s in scores]),
        violations_per_decision=_mean([float(len(s.violations)) for s in scores]),
        mean_sizing_error_dollars=_mean([z.error_dollars for z in sized]),
        mean_sizing_error_pct=_mean([z.error_pct_fund for z in sized]),
        consistency_rate=_mean([float(bool(c)) for c in with_precedent]),
        ledger_accuracy=_mean([float(s.ledger.correct) for s in scores]),
        lesson_reuse_rate=_mean([float(bool(f)) for f in lesson]),
        lesson_over_applied=sum(s.lesson.over_applied for s in scores),
        counts={"sized": len(sized), "with_precedent": len(with_precedent),
                "lesson_binding": len(lesson)},
    )
