"""The Agent: instructions, tools, a model, optional learning, and the tool-calling loop."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from workbench.agent.hooks import LearningHook, TurnMemory
from workbench.agent.result import RunResult, Timings, ToolCallRecord
from workbench.agent.tools import RunContext, Tool, as_tool
from workbench.errors import ConfigError
from workbench.models import Policy, is_offline, resolve_model
from workbench.models.types import Message, Model, ModelRequest, ToolCall, Usage
from workbench.tracing import Tracer, TraceScope, span, trace_scope

Instructions = str | Callable[[RunContext], str]


class Agent:
    """An agent that answers a message by calling its model and tools in a bounded loop.

    Args:
        name: a readable name; also the default ``agent_id``.
        model: ``"offline"``, a model name for an OpenAI-compatible endpoint, a
            :class:`~workbench.models.Model`, or None for the configured default.
        instructions: the system prompt, or a function of the run context returning it.
        tools: Python callables (schemas come from signatures and docstrings) or Tools.
        learning: a LearningMachine, ``True`` for a default one, or None.
        max_iterations: model calls per run before the loop stops.
        history_runs: earlier runs of the same session sent as chat history.
        offline_policies: this agent's policies for the offline model.
        tracer: where trace events go (a fresh in-memory Tracer by default).
    """

    def __init__(self, name: str = "agent", model: str | Model | None = None,
                 instructions: Instructions = "", tools: Sequence[Callable[..., Any] | Tool] = (),
                 learning: Any = None, *, max_iterations: int = 10, history_runs: int = 5,
                 agent_id: str | None = None, offline_policies: Sequence[Policy] = (),
                 tracer: Tracer | None = None) -> None:
        if max_iterations < 1:
            raise ConfigError("max_iterations must be at least 1")
        self.name = name
        self.agent_id = agent_id or name
        self.model: Model = resolve_model(model, offline_policies=offline_policies)
        self.instructions = instructions
        self.tools: list[Tool] = [as_tool(t) for t in tools]
        names = [t.name for t in self.tools]
        if len(set(names)) != len(names):
            raise ConfigError(f"duplicate tool names on agent {name!r}: {names}")
        self.max_iterations = max_iterations
        self.history_runs = history_runs
        self.tracer = tracer or Tracer()
        self._history: dict[str, list[Message]] = {}
        self.learning: LearningHook | None = self._resolve_learning(learning)
        if self.learning is not None:
            self.learning.bind(self)

    def __repr__(self) -> str:
        return (f"Agent(name={self.name!r}, model={self.model.name!r}, "
                f"tools={[t.name for t in self.tools]}, learning={self.learning is not None})")

    @staticmethod
    def _resolve_learning(learning: Any) -> LearningHook | None:
        if learning is None or learning is False:
            return None
        if learning is True:
            from workbench.learn import LearningMachine

            return LearningMachine.default()
        if not isinstance(learning, LearningHook):
            raise ConfigError(f"learning= expects a LearningMachine or True, got {learning!r}")
        return learning

    # -- sessions ---------------------------------------------------------------------------

    def session_history(self, session_id: str) -> list[Message]:
        """The user/assistant messages kept for a session (what the next run will see)."""
        return list(self._history.get(session_id, []))

    def reset_sessions(self) -> None:
        """Forget all chat history (memory stores are untouched)."""
        self._history.clear()

    # -- the loop ---------------------------------------------------------------------------

    def _system_prompt(self, ctx: RunContext, memory: TurnMemory) -> str:
        base = self.instructions(ctx) if callable(self.instructions) else self.instructions
        parts = [base.strip(), memory.guidance.strip(), memory.data.strip()]
        return "\n\n".join(p for p in parts if p)

    def run(self, message: str, *, user_id: str | None = None, session_id: str | None = None,
            run_id: str | None = None) -> RunResult:
        """Answer ``message``: recall memory, loop model ↔ tools, learn from the turn.

        Tool failures and invalid tool calls go back to the model as tool error messages;
        model failures raise a :class:`~workbench.errors.ModelError`.
        """
        started = time.perf_counter()
        ctx = RunContext(run_id=run_id or uuid.uuid4().hex[:12],
                         session_id=session_id or uuid.uuid4().hex[:12], user_id=user_id,
                         agent_id=self.agent_id, agent_name=self.name, message=message)
        scope = TraceScope(self.tracer, ctx.run_id, ctx.session_id, user_id, self.agent_id,
                           sink=[])
        timings = Timings()
        with trace_scope(scope), span("run", self.name, message_chars=len(message)) as run_ev:
            memory = TurnMemory()
            if self.learning is not None:
                t0 = time.perf_counter()
                memory = self.learning.before_run(ctx)
                timings.memory_s += time.perf_counter() - t0
            tools = {t.name: t for t in [*self.tools, *memory.tools]}
            history = self._history.get(ctx.session_id, [])[-2 * self.history_runs:]
            messages = [Message.system(self._system_prompt(ctx, memory)), *history,
                        Message.user(message)]
            records: list[ToolCallRecord] = []
            usage = Usage()
            text, stop_reason, iterations = "", "max_iterations", 0
            for iteration in range(1, self.max_iterations + 1):
                iterations = iteration
                request = ModelRequest(tuple(messages), tuple(t.spec for t in tools.values()))
                t0 = time.perf_counter()
                with span("model_call", self.model.name, iteration=iteration) as ev:
                    response = self.model.complete(request)
                    ev.tokens_in = response.usage.prompt_tokens
                    ev.tokens_out = response.usage.completion_tokens
                    ev.attributes["tool_calls"] = len(response.tool_calls)
                timings.model_s += time.perf_counter() - t0
                usage = usage + response.usage
                calls = _with_ids(response.tool_calls, iteration)
                messages.append(Message.assistant(response.text, tuple(calls)))
                if not calls:
                    text, stop_reason = response.text or "", "stop"
                    break
                for call in calls:
                    t0 = time.perf_counter()
                    record = self._execute(call, tools, ctx, iteration)
                    timings.tools_s += time.perf_counter() - t0
                    records.append(record)
                    messages.append(Message.tool(call.id, call.name, record.result))
            else:
                text = (messages[-1].content or "") if messages[-1].role == "assistant" else ""
                text = text or (f"Stopped after {self.max_iterations} model calls without a "
                                "final answer.")
            run_ev.attributes.update(iterations=iterations, stop_reason=stop_reason,
                                     tool_calls=len(records))
            run_ev.tokens_in, run_ev.tokens_out = usage.prompt_tokens, usage.completion_tokens
            self._history.setdefault(ctx.session_id, []).extend(
                [Message.user(message), Message.assistant(text)])
            if self.learning is not None:
                t0 = time.perf_counter()
                self.learning.after_run(ctx, message, text, records)
                timings.memory_s += time.perf_counter() - t0
        timings.total_s = time.perf_counter() - started
        return RunResult(text=text, messages=messages, tool_calls=records, usage=usage,
                         timings=timings, iterations=iterations, stop_reason=stop_reason,
                         run_id=ctx.run_id, session_id=ctx.session_id, user_id=user_id,
                         agent_name=self.name, model=self.model.name,
                         offline=is_offline(self.model), recalled=memory.recalled,
                         events=list(scope.sink or []))

    def _execute(self, call: ToolCall, tools: dict[str, Tool], ctx: RunContext,
                 iteration: int) -> ToolCallRecord:
        with span("tool_call", call.name, iteration=iteration) as ev:
            started = time.perf_counter()
            tool = tools.get(call.name)
            if tool is None:
                available = ", ".join(sorted(tools)) or "none"
                error = f"unknown tool {call.name!r}"
                content = f"Error: there is no tool named {call.name!r}. Available: {available}."
            else:
                outcome = tool.invoke(call.arguments, ctx, parse_error=call.parse_error)
                content, error = outcome.content, outcome.error
            if error:
                ev.status, ev.error = "error", error
            ev.attributes["result_chars"] = len(content)
        return ToolCallRecord(name=call.name, arguments=call.arguments, result=content,
                              error=error, call_id=call.id, iteration=iteration,
                              duration_ms=(time.perf_counter() - started) * 1000)


def _with_ids(calls: list[ToolCall], iteration: int) -> list[ToolCall]:
    """Some local servers omit tool-call ids; give each a stable one so results pair up."""
    out, seen = [], set()
    for i, c in enumerate(calls):
        cid = c.id if c.id and c.id not in seen else f"call_{iteration}_{i}"
        seen.add(cid)
        out.append(c if cid == c.id else ToolCall(cid, c.name, c.arguments, c.raw_arguments,
                                                   c.parse_error))
    return out
