"""The Investment committee agent: one agent playing the analysts, the risk officer, the memo
writer and the chair, over a shared LearningMachine.

Learning (all AGENTIC, namespace ``"global"`` so what one meeting saves, every later meeting
can find): a decision log (every decision with reasoning, alternatives and later its outcome),
learned knowledge (rules the committee adopts, framework refinements, patterns) and entity
memory for companies (each company's standing stance).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.agent import Agent, RunContext
from workbench.agents.investment.data import investment_dir
from workbench.agents.investment.policy import committee_policy
from workbench.agents.investment.tools import committee_tools
from workbench.agents.investment.world import CommitteeWorld
from workbench.learn import (
    DecisionLogConfig,
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMachine,
    LearningMode,
)
from workbench.models.types import Model

AGENT_ID = "investment-committee"
POLICY_FILES = ("mandate.md", "risk_policy.md", "process.md")

PROCESS = """\
You are the investment committee of a $10M US large-cap equity fund: market analyst, financial
analyst, technical analyst, risk officer, memo writer and chair in one. Each meeting answers one
request about one company. Work through these steps with your tools:

1. Company: search_universe to find the ticker.
2. Analysts: market_data (today's data pack: news, fundamentals, technicals, the next earnings
   date), portfolio (the ledger: the only record of what the fund owns; pass scenario=... when
   the request names a hypothetical book), and mandate_check (the deterministic engine: the
   largest purchase the written mandate allows, what a proposal would break, exit and trim
   triggers). Rate market and technicals Bullish/Neutral/Bearish, fundamentals
   Strong/Moderate/Weak, risk Low/Moderate/High/Unacceptable.
3. Memory: check <relevant_learnings> and call search_learnings for rules the committee has
   adopted since the policy was written; apply them exactly (they bind like the policy). Call
   search_decisions for earlier decisions on the company.
4. Precedent: when the company has earlier memos (search_memos with its ticker), read the
   latest, run check_conditions, cite it by file name and date, and keep its stance unless one
   of its conditions is met now; a change of stance must name the condition that justifies it.
5. Chair: decide BUY, HOLD, PASS, SELL or TRIM with an exact dollar amount, never above the
   engine's maximum (or a stricter adopted rule), and name at least one risk. Sell on an exit
   trigger, trim on a trim trigger.
6. Execute: only a real BUY, SELL or TRIM goes through execute_trade; HOLD and PASS change
   nothing, and hypothetical books are never executed.
7. Memo: write_memo with a bare filename {ticker}_{year}_{quarter}_{decision}.md in lower case
   (the data pack's year and quarter; add _2, _3 if taken), saved at the archive's top level,
   never in a folder. Optional JSON front-matter between --- lines (ticker, date, year,
   quarter, decision, amount_usd, cites, portfolio_after, conditions as {id, metric, op, value,
   description}), a # title, then the sections ## Summary, ## Thesis, ## Market,
   ## Fundamentals, ## Technicals, ## Risk & Sizing, ## Decision, in that order.
8. Remember: log_decision (decision with ticker, amount and price; reasoning; alternatives);
   record_outcome on earlier decisions about the company whose outcome is now known; keep the
   company's standing stance as an entity fact (create_entity, add_fact "committee_stance").
   When someone states a rule the committee should keep, save_learning it in general words
   ("Rule: from now on, ...") with its numbers; do not save what is already known.

Finish with these lines, then a short account of the analysis:
Decision: <BUY|HOLD|PASS|SELL|TRIM> <TICKER> $<amount>
Reason: ...
Risk: ...
Precedent: <memo files and dates, or none>
Conditions met: <condition ids, or none>
Committee rules: <adopted rules applied or checked, or none recalled>
Portfolio after: <sector> <weight>% of the fund; <n> positions; cash $<cash>
Memo: <filename>"""


def committee_rules(data_root: Path | None = None) -> str:
    """Layer 1: the written mandate, risk policy and process, as one text."""
    folder = investment_dir(data_root) / "policy"
    return "\n\n".join((folder / name).read_text(encoding="utf-8").strip()
                       for name in POLICY_FILES)


def committee_instructions(world: CommitteeWorld) -> Any:
    """The system prompt as a function of the run: the process, today's date (from the world)
    and the committee rules."""
    rules = committee_rules(world.data_root)

    def instructions(ctx: RunContext) -> str:
        pack = world.quarter_dates()[world.quarter]
        return (f"{PROCESS}\n\nToday: {world.today.isoformat()}. Data pack: {world.year} "
                f"{world.quarter} (as of {pack.isoformat()}).\n\n# Committee rules\n\n{rules}")

    return instructions


def memory_stores() -> dict[str, Any]:
    """The committee's store configs (AGENTIC, shared namespace "global")."""
    return {
        "learned_knowledge": LearnedKnowledgeConfig(mode=LearningMode.AGENTIC,
                                                    namespace="global"),
        "decision_log": DecisionLogConfig(mode=LearningMode.AGENTIC),
        "entity_memory": EntityMemoryConfig(mode=LearningMode.AGENTIC, namespace="global",
                                            enable_add_relationship=False,
                                            enable_update_entity=False, enable_forget=False),
    }


def build_machine(data_dir: str | Path, *, embedder: str | None = None,
                  clock: Any = None) -> LearningMachine:
    """A LearningMachine with the committee's stores (notebooks and tests; experiments build
    theirs with ``workbench.eval.memory.experiment_machine`` so ablations apply)."""
    return LearningMachine(**memory_stores(), embedder=embedder, data_dir=data_dir, clock=clock)


def build_agent(model: str | Model | None, machine: LearningMachine | None,
                world: CommitteeWorld, *, max_iterations: int = 16) -> Agent:
    """The committee agent over ``world`` (its ledger, archive and date) and ``machine``."""
    return Agent("investment-committee", model=model,
                 instructions=committee_instructions(world), tools=committee_tools(world),
                 learning=machine, max_iterations=max_iterations, agent_id=AGENT_ID,
                 offline_policies=[committee_policy])
