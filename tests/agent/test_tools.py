from __future__ import annotations

from typing import Literal

from workbench.agent.tools import RunContext, Tool, parse_docstring
from workbench.errors import ToolError


def lookup(city: str, units: Literal["metric", "imperial"] = "metric", days: int = 1,
           tags: list[str] | None = None, ctx: RunContext | None = None) -> dict:
    """Look up the weather.

    Args:
        city: the city name,
            spelled in English.
        units: unit system.
        days: how many days ahead.
        tags: optional labels.
    """
    return {"city": city, "units": units, "days": days, "user": ctx.user_id if ctx else None}


def test_schema_comes_from_signature_and_docstring():
    t = Tool(lookup)
    assert t.name == "lookup"
    assert t.description == "Look up the weather."
    props = t.parameters["properties"]
    assert props["city"] == {"type": "string", "description": "the city name, spelled in English."}
    assert props["units"]["enum"] == ["metric", "imperial"]
    assert props["days"]["type"] == "integer" and props["days"]["default"] == 1
    assert props["tags"]["type"] == ["array", "null"] and props["tags"]["items"] == {"type": "string"}
    assert "ctx" not in props, "the run context is injected, never shown to the model"
    assert t.parameters["required"] == ["city"]


def test_context_is_injected_and_integral_floats_accepted():
    ctx = RunContext(run_id="r", session_id="s", user_id="u1")
    out = Tool(lookup).invoke({"city": "Oslo", "days": 2.0}, ctx)
    assert out.error is None
    assert out.value == {"city": "Oslo", "units": "metric", "days": 2, "user": "u1"}


def test_invalid_calls_become_error_messages_not_exceptions():
    t = Tool(lookup)
    missing = t.invoke({})
    assert missing.error and "missing required property 'city'" in missing.content
    wrong = t.invoke({"city": 3})
    assert "expected string, got integer" in wrong.content
    extra = t.invoke({"city": "x", "colour": "red"})
    assert "unexpected property 'colour'" in extra.content
    enum = t.invoke({"city": "x", "units": "kelvin"})
    assert "is not one of" in enum.content
    unparsable = t.invoke(None, parse_error="arguments are not valid JSON")
    assert unparsable.error and "not valid JSON" in unparsable.content


def test_tool_exceptions_are_reported_to_the_model():
    def broken(x: int) -> int:
        """Always fails."""
        raise ValueError("boom")

    def refusing(x: int) -> int:
        """Refuses politely."""
        raise ToolError("x must be positive")

    assert Tool(broken).invoke({"x": 1}).content == "Error: broken failed: ValueError: boom"
    assert Tool(refusing).invoke({"x": 1}).content == "Error: x must be positive"


def test_parse_docstring_sections():
    summary, args = parse_docstring("""Do a thing.

    More detail here.

    Args:
        a (int): first.
        b: second
            and more.

    Returns:
        nothing.
    """)
    assert summary == "Do a thing.\n\nMore detail here."
    assert args == {"a": "first.", "b": "second and more."}


def test_an_error_message_is_prefixed_once():
    def strict(x: int) -> int:
        """Refuses with a message that already says Error."""
        raise ToolError("Error: no such column: invoice_date")

    outcome = Tool(strict).invoke({"x": 1})
    assert outcome.content == "Error: no such column: invoice_date"
    assert outcome.error == "no such column: invoice_date"
