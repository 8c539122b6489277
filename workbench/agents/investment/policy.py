"""The offline model's policy for the Investment committee (one agent plays every role).

A pure function of the request (``OfflineView``): it reads the meeting request, this turn's
tool results and the memory recalled into the system prompt, and returns the next tool calls
or the final answer. It keeps no state between calls and reads no file.

How it behaves, and where memory changes that:

* Analysts: it finds the company, reads the data pack, the book (ledger) and the mandate
  engine, and searches learnings and past decisions (empty without memory).
* Precedent: it opens the memo archive only when the request points to the past ("memo",
  "revisit", ...) or memory mentions the company (a recalled decision, a company entity, a
  learning). So without memory it misses a standing PASS on a plain purchase request — the
  first-try mistake of a committee without institutional memory.
* Chair: it follows the engine's maximum, keeps a standing PASS unless one of its revisit
  conditions is met, sells or trims on a trigger, and applies a learned sizing rule only when
  a learning stating one is in its context.
* Memory writes: it saves a rule the speaker asks the committee to keep as a learning in
  general language, logs every decision (with reasoning and alternatives), records outcomes of
  earlier decisions on the company, and keeps each company's standing stance as an entity
  fact. At the year's first meeting it reviews the archive into entity memory.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from workbench.agents.investment._committee import Precedent, Verdict, decide
from workbench.agents.investment._reading import (
    Request,
    SizingRule,
    Step,
    block,
    decision_entries,
    find,
    learning_entries,
    mentions,
    read_request,
    sizing_rule,
    steps_of,
    today_of,
)
from workbench.agents.investment._writing import (
    After,
    answer_text,
    lesson_learning,
    memo_conditions,
    outcome_of,
    render_committee_memo,
)
from workbench.agents.investment.memos import memo_filename
from workbench.agents.investment.tools import name_keys
from workbench.models import OfflineView, call
from workbench.models.offline import OFFLINE_NOTICE, Reply

MEMORY_READS = ("search_learnings", "search_decisions")
MAX_MEMO_ATTEMPTS = 3


def committee_policy(view: OfflineView) -> Reply:
    """Next step of a committee meeting (see the module docstring); None for other agents."""
    if view.response_format or "mandate_check" not in view.tools:
        return None
    req = read_request(view.last_user)
    steps = steps_of(view)
    today = _today(view, steps)
    universe = find(steps, "search_universe", query=view.last_user)
    if not universe:
        calls = [call("search_universe", query=view.last_user)]
        if req.opens_year and "search_memos" in view.tools:
            calls.append(call("search_memos", query=""))
        return calls
    hits = universe[0].data or []
    if not hits:
        return ("Decision: PASS - no company in the fund's data universe matches this request; "
                f"nothing was decided. {OFFLINE_NOTICE}")
    subject = hits[0]
    ticker = subject["ticker"]
    if not find(steps, "market_data"):
        return _gather(view, req, steps, subject)
    data, check, book = (_data(steps, "market_data"), _data(steps, "mandate_check"),
                         _data(steps, "portfolio"))
    if not (isinstance(data, dict) and isinstance(check, dict) and isinstance(book, dict)):
        return (f"Decision: PASS {ticker} $0\nReason: the data pack, engine or ledger did not "
                f"answer, so the committee cannot decide. {OFFLINE_NOTICE}")
    memory = _memory_text(view, steps)
    keys = [ticker, subject["short_name"], *name_keys(subject["name"])]
    searched = find(steps, "search_memos", query=ticker)
    if (req.refers_to_past or mentions(memory, keys)) and not searched:
        return call("search_memos", query=ticker)
    precedent = None
    memos = [m for m in (searched[0].data or []) if m.get("ticker") == ticker] if searched else []
    if memos:
        standing = memos[-1]
        checked = find(steps, "check_conditions", filename=standing["filename"])
        if standing.get("conditions") and not checked:
            return call("check_conditions", filename=standing["filename"])
        precedent = Precedent(memos, checked[0].data if checked and not checked[0].error
                              else None)
    rules = _rules(memory)
    verdict = decide(req, data, check, precedent, rules, today)
    executed = find(steps, "execute_trade")
    if verdict.trades and not verdict.hypothetical:
        if not executed:
            args: dict[str, Any] = {"action": verdict.decision, "ticker": ticker}
            if verdict.decision != "SELL":
                args["amount"] = verdict.amount
            return call("execute_trade", **args)
        if executed[0].error:
            verdict.reason += f"; execution failed ({executed[0].text}), so nothing was traded"
            verdict.decision = "HOLD" if (check.get("holding") or {}).get("held") else "PASS"
            verdict.amount = 0.0
    done = executed[0].data if executed and not executed[0].error else None
    if isinstance(done, dict) and verdict.decision != "SELL":
        verdict.amount = float(done.get("dollars", verdict.amount))
    after = _after(verdict, book, done)
    memo, reply = _memo_step(view, steps, verdict, data, check, after, today)
    if reply is not None:
        return reply
    writes = _memory_writes(view, steps, req, subject, verdict, memo, memory, rules, today)
    if writes:
        return writes
    return answer_text(verdict, data, check, after, memo) + f"\n{OFFLINE_NOTICE}"


# --------------------------------------------------------------------------- reading


def _today(view: OfflineView, steps: list[Step]) -> date:
    """The meeting date from the instructions, else from a tool result (never the clock)."""
    found = today_of(view.system)
    if found is None:
        for step in steps:
            if isinstance(step.data, dict) and step.data.get("today"):
                return date.fromisoformat(step.data["today"])
    return found or date(1970, 1, 1)


def _data(steps: list[Step], name: str) -> Any:
    found = [s for s in find(steps, name) if not s.error]
    if name == "portfolio":
        # The first portfolio read is the book before any trade this turn.
        return found[0].data if found else None
    return found[-1].data if found else None


def _memory_text(view: OfflineView, steps: list[Step]) -> str:
    """Everything memory supplied this turn: recalled blocks and memory search results."""
    parts = [block(view.system, "memory")]
    parts += [s.text for s in steps if s.name in MEMORY_READS and not s.error]
    return "\n".join(parts)


def _rules(memory: str) -> list[SizingRule]:
    return [rule for lid, text in learning_entries(memory)
            if (rule := sizing_rule(text, lid)) is not None]


def _gather(view: OfflineView, req: Request, steps: list[Step],
            subject: dict[str, Any]) -> list[Any]:
    """The analysts' round: data pack, book, engine, and memory searches, in one step."""
    ticker, short = subject["ticker"], subject["short_name"]
    book_args = {"scenario": req.scenario} if req.scenario else {}
    check_args: dict[str, Any] = {"ticker": ticker, "action": "BUY" if req.buy else "HOLD",
                                  "instrument": req.instrument, **book_args}
    if req.buy and req.amount:
        check_args["amount"] = req.amount
    calls = [call("market_data", ticker=ticker), call("portfolio", **book_args),
             call("mandate_check", **check_args)]
    if "search_learnings" in view.tools:
        calls.append(call("search_learnings",
                          query=f"committee rules and lessons for sizing a purchase of {short}"))
    if "search_decisions" in view.tools:
        calls.append(call("search_decisions", query=f"{short} ({ticker}) committee decisions"))
    review = _review_memos(steps)
    if review:
        calls.append(call("search_universe", query=_review_query(review)))
    return calls


def _review_memos(steps: list[Step]) -> list[dict[str, Any]]:
    listed = find(steps, "search_memos", query="")
    return list(listed[0].data or []) if listed and not listed[0].error else []


def _review_query(memos: list[dict[str, Any]]) -> str:
    return " ".join(sorted({m["ticker"] for m in memos}))


def _after(verdict: Verdict, book: dict[str, Any], done: dict[str, Any] | None) -> After:
    """The book after the decision: from the execution, else the book (plus a hypothetical
    trade, which is only computed, never executed)."""
    if done is not None:
        return After(done["sector"], float(done["sector_weight_after"]),
                     int(done["position_count_after"]), float(done["cash_after"]))
    fund = float(book["fund_size"])
    rows = [p for p in book["positions"] if p["sector"] == verdict.sector]
    sector_value = sum(float(p["value_usd"]) for p in rows)
    held = next((p for p in book["positions"] if p["ticker"] == verdict.ticker), None)
    count, cash = int(book["position_count"]), float(book["cash"])
    if verdict.hypothetical and verdict.trades:
        if verdict.decision == "BUY":
            sector_value, cash = sector_value + verdict.amount, cash - verdict.amount
            count += 0 if held else 1
        elif verdict.decision == "SELL" and held:
            sector_value, cash = sector_value - float(held["value_usd"]), cash + verdict.amount
            count -= 1
        elif verdict.decision == "TRIM":
            sector_value, cash = sector_value - verdict.amount, cash + verdict.amount
    return After(verdict.sector, round(sector_value / fund, 4), count, round(cash, 2))


# --------------------------------------------------------------------------- writing


def _cited(verdict: Verdict) -> str:
    if verdict.precedent is None:
        return "none"
    return ", ".join(m["filename"] for m in verdict.precedent.memos)


def _memo_step(view: OfflineView, steps: list[Step], verdict: Verdict, data: dict[str, Any],
               check: dict[str, Any], after: After, today: date,
               ) -> tuple[str | None, Reply]:
    """(saved memo name, None) once the memo is written; (None, call) to write it."""
    writes = find(steps, "write_memo")
    saved = [s for s in writes if not s.error]
    if saved:
        return str(saved[-1].args.get("filename")), None
    if "write_memo" not in view.tools or len(writes) >= MAX_MEMO_ATTEMPTS:
        return None, None
    year, quarter = str(data.get("data_pack", "")).split(" ") if data.get("data_pack") \
        else (str(today.year), "Q1")
    name = memo_filename(verdict.ticker, int(year), quarter, verdict.decision)
    if writes:
        suggested = re.search(r"use '([^']+)'", writes[-1].text)
        if not suggested:
            return None, None
        name = suggested.group(1)
    executed = find(steps, "execute_trade")
    entry = (executed[0].data or {}).get("avg_entry_price_after") \
        if executed and not executed[0].error else None
    conditions = memo_conditions(verdict, entry)
    text = render_committee_memo(verdict, data, check, after, today, int(year), quarter,
                                 conditions)
    return None, call("write_memo", filename=name, text=text)


def _memory_writes(view: OfflineView, steps: list[Step], req: Request, subject: dict[str, Any],
                   verdict: Verdict, memo: str | None, memory: str, rules: list[SizingRule],
                   today: date) -> list[Any]:
    """The committee's memory writes for this meeting, in one step (empty once done)."""
    tools = view.tools
    writes = ("log_decision", "add_fact", "save_learning", "create_entity", "record_outcome")
    if any(find(steps, name) for name in writes):
        return []
    calls: list[Any] = []
    ticker = verdict.ticker
    if "log_decision" in tools:
        calls.append(call(
            "log_decision",
            decision=f"{verdict.decision} {ticker} ${verdict.amount:,.0f} at "
                     f"${verdict.price:,.2f} on {today.isoformat()}"
                     + (" (hypothetical book, not executed)" if verdict.hypothetical else ""),
            reasoning=f"{verdict.reason}. Rules: "
                      f"{verdict.rule_note if verdict.rule_applied else 'none applied'}"
                      f". Precedent: {_cited(verdict)}.",
            decision_type="investment", alternatives=verdict.alternatives,
            confidence=0.6 if verdict.decision == "BUY" else 0.8,
            context=req.text[:400], tags=[ticker, verdict.decision.lower()]))
    stances = [(subject, f"{verdict.decision} ${verdict.amount:,.0f} on {today.isoformat()}"
                         + (f" (memo {memo})" if memo else ""))]
    review = _review_memos(steps)
    looked_up = find(steps, "search_universe", query=_review_query(review)) if review else []
    names = {h["ticker"]: h for h in (looked_up[0].data or [])} if looked_up else {}
    for m in review:
        if m["ticker"] in names and m["ticker"] != ticker:
            revisit = ", ".join(c["id"] for c in m.get("conditions", []))
            stances.append((names[m["ticker"]],
                            f"{m['decision']} ${m['amount_usd']:,.0f} on {m['date']} (memo "
                            f"{m['filename']})" + (f"; conditions: {revisit}" if revisit
                                                   else "")))
    for company, stance in stances:
        if "create_entity" in tools:
            calls.append(call("create_entity", name=company["short_name"],
                              entity_type="company",
                              description=f"{company['name']}, {company['sector']}",
                              aliases=[company["ticker"], company["name"],
                                       *name_keys(company["name"])]))
        if "add_fact" in tools:
            calls.append(call("add_fact", entity=company["short_name"],
                              attribute="committee_stance", value=stance))
    if req.stated_rule and "save_learning" in tools:
        stated = sizing_rule(req.stated_rule)
        known = stated is not None and any((r.fraction, r.window_days) ==
                                           (stated.fraction, stated.window_days) for r in rules)
        if not known:
            calls.append(call("save_learning", **lesson_learning(req.stated_rule, today)))
    if "record_outcome" in tools and verdict.price:
        seen: set[str] = set()
        for past in decision_entries(memory):
            if (past.ticker == ticker and past.price and not past.has_outcome
                    and not past.hypothetical
                    and past.logged is not None and past.logged < today
                    and past.id not in seen):
                seen.add(past.id)
                text, quality = outcome_of(past.action, past.price, verdict.price)
                calls.append(call("record_outcome", decision_id=past.id, outcome=text,
                                  quality=quality))
    return calls
