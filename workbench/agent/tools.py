"""Python callables as tools: a JSON schema from the signature and docstring, validated calls.

A tool is any function with type hints and a Google-style docstring. The summary becomes the
description and ``Args:`` entries describe the parameters. A parameter annotated with
:class:`RunContext` is injected by the runtime (the run's ids) and never shown to the model.
Bad calls — unknown tools, arguments that are not JSON, missing or mistyped arguments — come
back as a :class:`ToolOutcome` with an error text for the model; they never raise.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

from workbench.errors import ToolError
from workbench.jsonschema import validate
from workbench.models.types import ToolSpec


@dataclass
class RunContext:
    """The ids of the current run, injected into tools that ask for them."""

    run_id: str
    session_id: str
    user_id: str | None = None
    agent_id: str | None = None
    agent_name: str = ""
    message: str = ""
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class ToolOutcome:
    """The result of one tool call as the runtime saw it."""

    content: str
    error: str | None = None
    value: Any = None


def _json_type(annotation: Any) -> dict[str, Any]:
    """Map a Python annotation to a JSON-schema fragment."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return {}
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(get_args(annotation))
        if len(members) == 1:
            inner = _json_type(members[0])
            if nullable and "type" in inner:
                inner = {**inner, "type": [inner["type"], "null"]}
            return inner
        return {"anyOf": [_json_type(m) for m in members] + ([{"type": "null"}] if nullable else [])}
    if origin is Literal:
        values = list(get_args(annotation))
        kind = _json_type(type(values[0]))
        return {**kind, "enum": values}
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set):
        args = get_args(annotation)
        schema: dict[str, Any] = {"type": "array"}
        if args and args[0] is not Ellipsis:
            schema["items"] = _json_type(args[0])
        return schema
    if origin is dict or annotation is dict:
        return {"type": "object"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if annotation in simple:
        return {"type": simple[annotation]}
    return {}


_ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")


def _is_context(annotation: Any) -> bool:
    """True for ``RunContext`` and ``RunContext | None`` (injected, not model-visible)."""
    if annotation is RunContext or annotation == "RunContext":
        return True
    return get_origin(annotation) in (Union, types.UnionType) and RunContext in get_args(annotation)


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into (description, {arg: description})."""
    if not doc:
        return "", {}
    doc = inspect.cleandoc(doc)
    lines = doc.splitlines()
    summary: list[str] = []
    args: dict[str, str] = {}
    section = None
    current = None
    arg_indent = None
    for line in lines:
        stripped = line.strip()
        if re.match(r"^(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?|Notes?):\s*$",
                    stripped):
            section = stripped[:-1].lower()
            current, arg_indent = None, None
            continue
        if section in ("args", "arguments", "parameters"):
            indent = len(line) - len(line.lstrip())
            match = _ARG_LINE.match(line.strip())
            if match and (arg_indent is None or indent <= arg_indent):
                arg_indent = indent
                current = match.group(1).lstrip("*")
                args[current] = match.group(3).strip()
            elif current and stripped:
                args[current] = (args[current] + " " + stripped).strip()
        elif section is None:
            summary.append(line)
    return "\n".join(summary).strip(), args


class Tool:
    """A callable with the schema the model sees.

    Args:
        func: the Python function.
        name: tool name (default: the function's ``__name__``).
        description: overrides the docstring summary.
    """

    def __init__(self, func: Callable[..., Any], *, name: str | None = None,
                 description: str | None = None) -> None:
        self.func = func
        self.name = name or func.__name__
        summary, arg_docs = parse_docstring(func.__doc__)
        self.description = description or summary or self.name
        signature = inspect.signature(func)
        try:
            hints = typing.get_type_hints(func)
        except Exception:  # unresolvable forward refs: fall back to raw annotations
            hints = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        self._context_params: list[str] = []
        self._params: dict[str, inspect.Parameter] = {}
        for pname, param in signature.parameters.items():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            annotation = hints.get(pname, param.annotation)
            if _is_context(annotation):
                self._context_params.append(pname)
                continue
            self._params[pname] = param
            schema = _json_type(annotation)
            if pname in arg_docs:
                schema["description"] = arg_docs[pname]
            if param.default is inspect.Parameter.empty:
                required.append(pname)
            elif param.default is not None and not callable(param.default):
                schema.setdefault("default", param.default)
            properties[pname] = schema
        self.parameters: dict[str, Any] = {"type": "object", "properties": properties,
                                           "required": required, "additionalProperties": False}

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)

    def _coerce(self, arguments: dict[str, Any]) -> dict[str, Any]:
        out = dict(arguments)
        for key, value in arguments.items():
            expected = self.parameters["properties"].get(key, {}).get("type")
            names = expected if isinstance(expected, list) else [expected]
            # An integral float such as 5.0 is a fine integer; JSON does not distinguish.
            if "integer" in names and isinstance(value, float) and value.is_integer():
                out[key] = int(value)
        return out

    def invoke(self, arguments: dict[str, Any] | None, context: RunContext | None = None,
               *, parse_error: str | None = None) -> ToolOutcome:
        """Validate and run the call; every failure becomes an error outcome for the model."""
        if arguments is None:
            message = f"Error: could not read the arguments for {self.name}: {parse_error}. " \
                      "Send the arguments as a JSON object."
            return ToolOutcome(message, error=parse_error or "invalid arguments")
        problems = validate(arguments, self.parameters)
        if problems:
            detail = "; ".join(problems)
            return ToolOutcome(f"Error: invalid arguments for {self.name}: {detail}. "
                               f"Expected schema: {json.dumps(self.parameters['properties'])}",
                               error=detail)
        kwargs = self._coerce(arguments)
        for pname in self._context_params:
            kwargs[pname] = context
        try:
            value = self.func(**kwargs)
        except ToolError as exc:
            text = str(exc)
            return ToolOutcome(text if text.startswith("Error") else f"Error: {text}",
                               error=text.removeprefix("Error: "))
        except Exception as exc:  # a tool bug must not end the run; the model sees it
            detail = f"{type(exc).__name__}: {exc}"
            return ToolOutcome(f"Error: {self.name} failed: {detail}", error=detail)
        return ToolOutcome(format_result(value), value=value)


def format_result(value: Any) -> str:
    """Render a tool's return value as the text the model reads."""
    if value is None:
        return "OK"
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def tool(func: Callable[..., Any] | None = None, *, name: str | None = None,
         description: str | None = None) -> Any:
    """Decorator (or function) turning a callable into a :class:`Tool`."""
    if func is None:
        return lambda f: Tool(f, name=name, description=description)
    return Tool(func, name=name, description=description)


def as_tool(obj: Tool | Callable[..., Any]) -> Tool:
    return obj if isinstance(obj, Tool) else Tool(obj)
