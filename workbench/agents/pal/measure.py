"""Per-turn measurements of a Pal run, from the :class:`RunResult` and the grader's
expectations (never shown to the agent).

* what the turn produced: the draft recorded with ``write_draft`` (else the reply) and the
  proposed file name;
* rule adherence with the deterministic checkers, split into stated preferences
  (conversation rules, pending or in force) and file rules;
* leaks: the other user's markers in anything this user received (reply, drafts, tool
  results, the system prompt with its recalled memory) and the other user's distinctive
  rules obeyed;
* retrieval (gold facts found, tool calls, sources touched) and recurring meetings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workbench.agent import RunResult
from workbench.agents.pal.data import Note, Rule, TurnExpectation, UserExpectations
from workbench.agents.pal.scoring import (
    RuleOutcome,
    detect_leaks,
    foreign_rule_leaks,
    recurring_from_text,
    roster_from_notes,
    score_recurring,
    score_retrieval,
    score_turn,
)

SOURCE_TOOLS = ("search_notes", "get_note", "find_meetings", "list_files", "read_file",
                "search_files")
"""Tools that read the user's data (what retrieval efficiency counts)."""

_FILENAME = re.compile(r"`([^`\n]+\.(?:md|txt))`|([\w\[\]().:' -]+\.(?:md|txt))\b")


def output_of(result: RunResult, *, wants_filename: bool = True) -> tuple[str, str | None]:
    """(text, file name) a turn produced: the last recorded draft, else the reply. A file
    name is read from the reply only when the turn asked for one."""
    drafts = [c for c in result.tool_calls if c.name == "write_draft" and c.ok and c.arguments]
    if drafts:
        args = drafts[-1].arguments or {}
        return str(args.get("text", "")), args.get("filename")
    if not wants_filename:
        return result.text, None
    match = _FILENAME.search(result.text)
    name = (match.group(1) or match.group(2)).strip() if match else None
    return result.text, name


def _mean(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def stated_outcomes(outcomes: Iterable[RuleOutcome], rules: Mapping[str, Rule]) -> list[RuleOutcome]:
    """Conversation rules that count for "stated preference" adherence on a turn.

    Pending and active rules count; a pending rule that corrects another conversation rule
    on the same turn ("Jules" replacing "J.") is left out, since both cannot hold at once.
    """
    outcomes = list(outcomes)
    listed = {o.rule_id for o in outcomes}
    keep = []
    for o in outcomes:
        if o.source != "conversation" or o.status == "superseded":
            continue
        corrects = [r for r in rules[o.rule_id].supersedes
                    if r in listed and rules[r].from_conversation]
        if o.status == "pending" and corrects:
            continue
        keep.append(o)
    return keep


def rule_metrics(text: str, filename: str | None, expectation: TurnExpectation,
                 rules: Mapping[str, Rule]) -> dict[str, Any]:
    """Adherence figures for one turn, plus the per-rule outcomes for later analysis."""
    outcomes = score_turn(text, expectation, rules, filename=filename)
    stated = stated_outcomes(outcomes, rules)
    files = [o for o in outcomes if o.source == "file" and o.status == "active"]
    active = [o for o in outcomes if o.status == "active"]
    conflicts = [o for o in active if any(
        s in expectation.rules and expectation.rules[s] == "superseded" and
        not rules[s].from_conversation for s in rules[o.rule_id].supersedes)]
    return {
        "pref_adherence": _mean([o.passed for o in stated]),
        "pref_active": _mean([o.passed for o in stated if o.status == "active"]),
        "file_adherence": _mean([o.passed for o in files]),
        "adherence": _mean([o.passed for o in active]),
        "conflict_followed": _mean([o.passed for o in conflicts]),
        "rules_checked": len(outcomes),
        "rule_outcomes": [{"rule_id": o.rule_id, "status": o.status, "source": o.source,
                           "passed": o.passed, "detail": o.detail} for o in outcomes],
    }


def received_texts(result: RunResult) -> list[str]:
    """Everything put in front of the user or the model on the user's behalf in a turn."""
    texts = [result.text]
    texts += [m.content or "" for m in result.messages]
    texts += [json.dumps(c.arguments or {}, ensure_ascii=False) for c in result.tool_calls]
    texts += [c.result for c in result.tool_calls]
    texts += [r.text for r in result.recalled]
    return [t for t in texts if t]


def leak_metrics(user_id: str, result: RunResult, text: str, filename: str | None,
                 expectation: TurnExpectation | None, rules: Mapping[str, Rule],
                 markers: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Other users' markers in what this user received, and foreign rules obeyed."""
    hits = detect_leaks({user_id: received_texts(result)}, markers)
    foreign = foreign_rule_leaks(text, expectation, rules, filename=filename) \
        if expectation is not None else []
    return {"leaks": len(hits) + len(foreign), "leak_markers": sorted({h.marker for h in hits}),
            "foreign_rules_followed": foreign}


def sources_touched(result: RunResult) -> int:
    """Distinct notes, meetings and files whose content a turn's tools returned."""
    seen: set[str] = set()
    for call in result.tool_calls:
        if call.error or call.name not in SOURCE_TOOLS:
            continue
        if call.name == "read_file":
            seen.add("file:" + str((call.arguments or {}).get("path")))
            continue
        try:
            value = json.loads(call.result)
        except json.JSONDecodeError:
            continue
        rows = value if isinstance(value, list) else [value]
        seen.update(f"note:{r['id']}" for r in rows if isinstance(r, dict) and "id" in r)
    return len(seen)


def retrieval_metrics(result: RunResult, expectations: UserExpectations,
                      retrieval_id: str) -> dict[str, Any]:
    """Gold facts found, and what it cost to find them."""
    gold = expectations.retrieval[retrieval_id]
    score = score_retrieval(result.text, gold)
    calls = [c.name for c in result.tool_calls if c.name in SOURCE_TOOLS]
    targeted = bool(calls) and "get_note" in calls and "search_notes" not in calls
    return {"retrieval_id": retrieval_id, "retrieval_complete": int(score.complete),
            "retrieval_fraction": score.fraction, "retrieval_missing": list(score.missing),
            "retrieval_calls": len(calls), "sources_touched": sources_touched(result),
            "retrieval_path": "targeted" if targeted else "broad",
            "learning_recalled": int(any(r.store == "learned_knowledge" and "Retrieval:" in r.text
                                         for r in result.recalled))}


def recurring_metrics(answer: str, expectations: UserExpectations,
                      notes: Sequence[Note]) -> dict[str, Any]:
    """Precision and recall of the recurring meetings an answer names."""
    predictions = recurring_from_text(answer, roster_from_notes(notes))
    score = score_recurring(predictions, expectations.recurring)
    return {"recurring_precision": score.precision, "recurring_recall": score.recall,
            "recurring_f1": score.f1, "attendee_recall": score.attendee_recall,
            "cadence_accuracy": score.cadence_accuracy,
            "recurring_missed": list(score.missed),
            "recurring_false_positives": list(score.false_positives)}
