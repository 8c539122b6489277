"""Reading a run's answer and tool calls into the scorers' Decision."""

from __future__ import annotations

from types import SimpleNamespace

from workbench.agent.result import ToolCallRecord
from workbench.agents.investment import load_meetings
from workbench.agents.investment.extract import decision_from_run

MEETINGS = {m.id: m for m in load_meetings()}

OFFLINE_ANSWER = """Decision: BUY JPM $1,000,000
Reason: eligible and within the mandate
Risk: beta 1.10
Precedent: jpm_2025_q3_buy.md (2025-09-10, BUY); conditions met now: none
Conditions met: none
Committee rules: pre-earnings sizing (2/3 ...) applied: earnings in 22 days
Portfolio after: Financials 15.0% of the fund; 6 positions; cash $3,000,000
Memo: jpm_2026_q2_buy.md"""


def run(text: str, *calls: ToolCallRecord) -> SimpleNamespace:
    return SimpleNamespace(text=text, tool_calls=list(calls))


def trade(action: str, amount: float | None = None) -> ToolCallRecord:
    args = {"action": action, "ticker": "JPM"} | ({"amount": amount} if amount else {})
    return ToolCallRecord("execute_trade", args, "{}")


def test_the_offline_answer_round_trips():
    memo = ToolCallRecord("write_memo", {"filename": "jpm_2026_q2_buy.md", "text": "x"}, "ok")
    got = decision_from_run(run(OFFLINE_ANSWER, trade("BUY", 1_000_000), memo), MEETINGS["M13"])
    d = got.decision
    assert (d.meeting_id, d.decision, d.amount, d.instrument) == ("M13", "BUY", 1_000_000,
                                                                   "equity")
    assert d.lesson_applied is True and d.cited_memos == ("jpm_2025_q3_buy.md",)
    assert d.cited_conditions == () and d.memo_filename == "jpm_2026_q2_buy.md"
    assert (d.reported_sector_weight, d.reported_position_count) == (0.15, 6)
    assert got.stated and got.memos_saved == ("jpm_2026_q2_buy.md",) and len(got.trades) == 1


def test_markdown_labels_from_a_real_model_parse_too():
    text = ("**Decision:** hold NVDA — $0\n- **Conditions met**: tsla_auto_margin_above_20, "
            "none\n- **Committee rules:** pre-earnings rule not applied (51 days)\n"
            "**Portfolio after:** Technology 38.2%; 7 positions")
    d = decision_from_run(run(text), MEETINGS["M17"]).decision
    assert (d.decision, d.amount, d.lesson_applied) == ("HOLD", 0.0, False)
    assert d.cited_conditions == ("tsla_auto_margin_above_20",)
    assert (d.reported_sector_weight, d.reported_position_count) == (0.382, 7)


def test_without_a_decision_line_the_executed_trade_decides():
    got = decision_from_run(run("I bought it.", trade("BUY", 250_000)), MEETINGS["M13"])
    assert (got.decision.decision, got.decision.amount, got.stated) == ("BUY", 250_000, False)
    nothing = decision_from_run(run("Let me think."), MEETINGS["M13"]).decision
    assert (nothing.decision, nothing.amount, nothing.lesson_applied) == ("PASS", 0.0, None)


def test_an_unexecuted_buy_of_a_prohibited_instrument_keeps_the_instrument():
    d = decision_from_run(run("Decision: BUY NVDA $1,000,000 of calls"),
                          MEETINGS["M22"]).decision
    assert d.instrument == "option"
    booked = decision_from_run(run("Decision: BUY NVDA $500,000", trade("BUY", 500_000)),
                               MEETINGS["M22"]).decision
    assert booked.instrument == "equity"  # shares through the ledger, not options
