"""What the policy reads from a request: docs by context level, learnings (negations
included), this turn's evidence; and the question parser's slots."""

from __future__ import annotations

from workbench.agents.dash.agent import instructions
from workbench.agents.dash.beliefs import Layer, _read_text, read_beliefs, read_docs
from workbench.agents.dash.build import CANCELLED, Build
from workbench.agents.dash.intents import parse_ask
from workbench.agents.dash.lessons import _FACTS
from workbench.models import OfflineView, call
from workbench.models.types import Message, ModelRequest


def learned(text: str) -> Layer:
    layer = Layer("learning", "lrn_x")
    _read_text(layer, text)
    return layer


def test_docs_are_read_by_context_level():
    names = read_docs(instructions("names"))
    assert not names.columns and not names.facts
    semantic = read_docs(instructions("semantic"))
    assert "issued_at" in semantic.columns["invoices"] and "invoices" in semantic.complete
    assert semantic.vocab[("subscriptions", "status")] == ["active", "cancelled", "upgraded",
                                                             "downgraded"]
    assert semantic.vocab[("customers", "country")][:2] == ["US", "UK"]
    # documented claims, wrong ones included: storage "cumulative", trials "evaluating"
    assert semantic.facts["storage"] == "cumulative" and semantic.facts["trials"] == "evaluating"
    assert "dialect" not in semantic.facts and "data_end" not in semantic.facts


def test_learning_text_is_parsed_with_negations():
    layer = learned("subscriptions.status values: cancelled is 'cancelled'. subscriptions.status "
                    "takes the values 'active', 'cancelled'; for cancelled use "
                    "subscriptions.status = 'cancelled' (not 'canceled').")
    assert layer.vocab[("subscriptions", "status")] == ["cancelled", "active"]
    cols = learned("Columns of invoices: amount, issued_at, paid_at. In invoices, the date is "
                   "invoices.issued_at (not invoice_date).")
    assert cols.complete == {"invoices"} and "invoice_date" not in cols.columns["invoices"]
    for key, (title, rule, when, _tags) in _FACTS.items():
        text = f"{title}. {rule} {when}".format(value="2025-12-31" if key == "data_end" else 10)
        assert key in learned(text).facts, f"the policy cannot read its own {key} learning"


def _view(system: str, question: str, steps: list[tuple] = ()) -> OfflineView:
    messages = [Message.system(system), Message.user(question)]
    for i, (c, result) in enumerate(steps):
        c = type(c)(f"c{i}", c.name, c.arguments, c.raw_arguments)
        messages += [Message.assistant(None, (c,)), Message.tool(c.id, c.name, result)]
    return OfflineView(ModelRequest(tuple(messages)))


def test_beliefs_rank_turn_over_learnings_over_docs():
    system = instructions("semantic") + (
        "\n<memory>\n<relevant_learnings>\n[lrn_1] subscriptions.status spelling\n"
        "   Cancelled subscriptions use subscriptions.status = 'canceled'.\n"
        "</relevant_learnings>\n</memory>")
    q = "How many subscriptions were canceled in 2025?"
    ask = parse_ask(q, "2026-04-15")
    b = Build(read_beliefs(_view(system, q)), ask, "2026-04-15")
    assert b.values("subscriptions", "status", "cancelled", CANCELLED) == ("canceled",)
    assert b.uses[("val", "subscriptions", "status", "cancelled")].learning_id == "lrn_1"
    probe = call("run_sql", query="/* check: values subscriptions.status */ SELECT status, "
                                  "COUNT(*) AS n FROM subscriptions GROUP BY status")
    steps = [(probe, "status | n\nactive | 546\ncancelled | 342\n-- 2 row(s)")]
    b2 = Build(read_beliefs(_view(system, q, steps)), ask, "2026-04-15")
    assert b2.values("subscriptions", "status", "cancelled", CANCELLED) == ("cancelled",)
    assert b2.settled(("val", "subscriptions", "status", "cancelled"))


def test_error_text_is_evidence():
    failed = call("run_sql", query="SELECT EXTRACT(YEAR FROM issued_at) FROM invoices")
    missing = call("run_sql", query="SELECT c.channel FROM customers c")
    beliefs = read_beliefs(_view(instructions("names"), "q", [
        (failed, 'Error: near "FROM": syntax error'),
        (missing, "Error: no such column: c.channel")]))
    assert beliefs.fact("dialect").value == "sqlite"
    assert beliefs.missing("customers") == {"channel"}


def test_question_slots():
    ask = parse_ask("How many customers canceled in the fourth quarter of 2025?", "2026-04-15")
    assert ask.intent == "churn_count" and ask.subject == "customers"
    assert (ask.period.start, ask.period.end, ask.period.kind) == ("2025-10-01", "2026-01-01",
                                                                   "quarter")
    week = parse_ask("Who signed up this past week?", "2026-04-15")
    assert week.wants_list and week.period.relative and week.period.start == "2026-04-08"
    top = parse_ask("List the ten biggest accounts that look likely to churn soon.", "2026-04-15")
    assert top.intent == "at_risk" and top.top_n == 10
    assert parse_ask("What's the weather like?", "2026-04-15") is None
