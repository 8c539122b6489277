"""The Investment committee demo: data, mandate engine, portfolio ledger, memos and scorers.

What is exported here is the deterministic ground truth. The agent lives in ``agent``
(instructions, memory), ``tools`` and ``world`` (the run's ledger, archive and date), its
offline policy in ``policy``, and the experiment in ``experiment`` (import them directly; they
pull in the learning machine).
"""

from workbench.agents.investment.conditions import Condition, met_conditions
from workbench.agents.investment.data import (
    Expectation,
    Fixture,
    FixtureSet,
    Mandate,
    Meeting,
    datasets_root,
    investment_dir,
    load_expectations,
    load_fixtures,
    load_ledger,
    load_mandate,
    load_meetings,
)
from workbench.agents.investment.engine import (
    PRE_EARNINGS_LESSON,
    PreEarningsRule,
    Proposal,
    SizingResult,
    Violation,
    allowed_size,
    portfolio_triggers,
    trim_amount,
    violations,
)
from workbench.agents.investment.ledger import Ledger, LedgerError, Position
from workbench.agents.investment.memos import (
    SECTIONS,
    Memo,
    MemoArchive,
    MemoError,
    memo_filename,
    parse_memo,
    render_memo,
    validate_memo,
)
from workbench.agents.investment.replay import SequenceResult, score_sequence
from workbench.agents.investment.scoring import (
    Decision,
    MeetingScore,
    Summary,
    duplicate_learnings,
    score_decision,
    summarize,
)

__all__ = [
    "Condition", "Decision", "Expectation", "Fixture", "FixtureSet", "Ledger", "LedgerError",
    "Mandate", "Meeting", "MeetingScore", "Memo", "MemoArchive", "MemoError",
    "PRE_EARNINGS_LESSON", "Position", "PreEarningsRule", "Proposal", "SECTIONS",
    "SequenceResult", "SizingResult", "Summary", "Violation", "allowed_size", "datasets_root",
    "duplicate_learnings", "investment_dir", "load_expectations", "load_fixtures", "load_ledger",
    "load_mandate", "load_meetings", "memo_filename", "met_conditions", "parse_memo",
    "portfolio_triggers", "render_memo", "score_decision", "score_sequence", "summarize",
    "trim_amount", "validate_memo", "violations",
]
