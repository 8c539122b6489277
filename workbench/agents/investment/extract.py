"""Turn one committee run (its answer and tool calls) into the scorers' ``Decision`` record.

The answer's labelled lines (``Decision:``, ``Conditions met:``, ``Committee rules:``,
``Portfolio after:``, ``Memo:``) carry the decision as the committee states it; the tool calls
show what it actually did (trades booked, memos saved). Reading is lenient, so a real model's
Markdown (bold labels, bullets) parses too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workbench.agents.investment._reading import MEMO_NAME, money
from workbench.agents.investment.data import Meeting
from workbench.agents.investment.scoring import Decision

DECISIONS = ("BUY", "HOLD", "PASS", "SELL", "TRIM")


@dataclass(frozen=True)
class RunDecision:
    """The scorer's record plus what the run did: trades executed and memos saved."""

    decision: Decision
    trades: tuple[dict[str, Any], ...]
    memos_saved: tuple[str, ...]
    stated: bool


def _line(text: str, label: str) -> str | None:
    match = re.search(rf"(?im)^[\s>*_\-#]*{label}[*_]*\s*:[*_]*\s*(.*)$", text)
    return match.group(1).strip() if match else None


def _lesson_applied(line: str | None) -> bool | None:
    if line is None:
        return None
    lowered = line.lower()
    if re.search(r"\bnot\s+applied\b|not applicable|not needed|\bn/a\b|none recalled", lowered):
        return False
    return bool(re.search(r"\bapplied\b", lowered))


def decision_from_run(result: Any, meeting: Meeting) -> RunDecision:
    """Read ``result`` (a :class:`~workbench.agent.RunResult`) for ``meeting``."""
    text = result.text or ""
    trades = tuple(c.arguments | {"result": c.result} for c in result.tool_calls
                   if c.name == "execute_trade" and c.ok and c.arguments)
    memos = tuple(str(c.arguments.get("filename")) for c in result.tool_calls
                  if c.name == "write_memo" and c.ok and c.arguments)
    line = _line(text, "Decision")
    word = re.search(r"\b(BUY|HOLD|PASS|SELL|TRIM)\b", line or "", re.IGNORECASE)
    stated = word is not None
    if word:
        action = word.group(1).upper()
    elif trades:
        action = str(trades[-1].get("action", "PASS")).upper()
    else:
        action = "PASS"
    amounts = money(line or "")
    amount = amounts[0] if amounts else 0.0
    if action in ("BUY", "TRIM", "SELL") and not amounts and trades:
        amount = float(sum(float(t.get("amount") or 0.0) for t in trades))
    # Shares booked through the ledger are equity, whatever the request asked for.
    instrument = "equity" if trades or action != "BUY" else meeting.instrument
    memo_line = _line(text, "Memo") or ""
    memo_name = MEMO_NAME.search(memo_line)
    memo = memo_name.group(0) if memo_name else (memos[-1] if memos else None)
    cited = tuple(dict.fromkeys(n for n in MEMO_NAME.findall(text.replace(memo_line, ""))
                                if n != memo))
    conditions_line = _line(text, "Conditions met") or ""
    conditions = tuple(c.strip() for c in re.split(r"[,;]", conditions_line)
                       if re.fullmatch(r"[a-z0-9_]+", c.strip()) and c.strip() != "none")
    after = _line(text, "Portfolio after") or ""
    weight = re.search(r"(\d+(?:\.\d+)?)\s*%", after)
    count = re.search(r"(\d+)\s+positions?", after)
    decision = Decision(meeting.id, action, round(float(amount), 2), instrument,
                        _lesson_applied(_line(text, "Committee rules")), cited, conditions,
                        float(weight.group(1)) / 100 if weight else None,
                        int(count.group(1)) if count else None, memo)
    return RunDecision(decision, trades, memos, stated)
