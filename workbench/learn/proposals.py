"""PROPOSE mode, enforced by state: a write becomes a pending proposal until a person says yes.

In PROPOSE mode each write tool of a store is replaced by a twin with the same schema that
only records a :class:`Proposal`. The agent gets ``confirm_proposal``, which executes a
proposal only when the user's *latest message* is an explicit approval and the proposal was
made in an earlier run of the same session by the same user — the model cannot approve its
own proposal. Notebooks (or a UI) confirm or reject directly with
``machine.proposals.confirm(id)``.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from workbench.agent.tools import RunContext, Tool
from workbench.errors import ToolError
from workbench.learn.context import iso
from workbench.storage.records import Record, where
from workbench.text import stable_id
from workbench.tracing import span

if TYPE_CHECKING:
    from workbench.learn.machine import LearningMachine

_APPROVAL = re.compile(
    r"^\s*(yes|yep|yeah|y|ok(ay)?|sure|confirm(ed)?|approve(d)?|go ahead|save it|do it|"
    r"please do|sounds good)\b", re.I)


def is_approval(message: str) -> bool:
    """True when a user message starts with an explicit yes."""
    return bool(_APPROVAL.match(message or ""))


@dataclass
class Proposal:
    """A write the agent proposed; executed only after confirmation."""

    id: str
    store: str
    tool: str
    arguments: dict[str, Any]
    user_id: str | None
    session_id: str
    run_id: str
    agent_id: str | None
    created_at: str
    status: str = "pending"
    result: str | None = None

    def summary(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.arguments.items() if v is not None)
        return f"{self.tool}({args})"


class ProposalBook:
    """Pending, confirmed and rejected proposals, persisted next to the stores."""

    def __init__(self, machine: LearningMachine) -> None:
        self._machine = machine
        self._originals: dict[str, Tool] = {}

    def _collection(self):
        return self._machine.collection("proposals")

    def _save(self, proposal: Proposal) -> None:
        self._collection().upsert([Record(proposal.id, proposal.summary(),
                                          {"status": proposal.status,
                                           "session_id": proposal.session_id},
                                          asdict(proposal))])

    def get(self, proposal_id: str) -> Proposal | None:
        record = self._collection().get_one(proposal_id)
        return Proposal(**record.data) if record else None

    def pending(self, *, session_id: str | None = None) -> list[Proposal]:
        records = self._collection().get(filter=where(status="pending", session_id=session_id))
        return sorted((Proposal(**r.data) for r in records), key=lambda p: p.created_at)

    # -- wrapping write tools ---------------------------------------------------------------

    def wrap(self, store_name: str, tool: Tool) -> Tool:
        """A twin of ``tool`` with the same schema that records a proposal instead of writing."""
        self._originals[f"{store_name}.{tool.name}"] = tool
        book = self
        twin = copy.copy(tool)

        def propose(**kwargs: Any) -> str:
            ctx = next(v for v in kwargs.values() if isinstance(v, RunContext))
            arguments = {k: v for k, v in kwargs.items() if not isinstance(v, RunContext)}
            when = iso(book._machine.clock())
            proposal = Proposal(
                id=stable_id(store_name, tool.name, json.dumps(arguments, sort_keys=True,
                                                               default=str), ctx.run_id,
                             prefix="prop_"),
                store=store_name, tool=tool.name, arguments=arguments, user_id=ctx.user_id,
                session_id=ctx.session_id, run_id=ctx.run_id, agent_id=ctx.agent_id,
                created_at=when)
            with span("memory_write", f"{store_name}.propose", proposal_id=proposal.id,
                      ids=[proposal.id]):
                book._save(proposal)
            return (f"Proposed {proposal.id}: {proposal.summary()}. Nothing is saved until the "
                    "user confirms; ask them: 'Save this? (yes/no)'.")

        twin.func = propose
        twin.description = f"(PROPOSE mode: records a proposal for the user to confirm) " \
                           f"{tool.description}"
        return twin

    # -- confirming -------------------------------------------------------------------------

    def _execute(self, proposal: Proposal, ctx: RunContext) -> str:
        original = self._originals.get(f"{proposal.store}.{proposal.tool}")
        if original is None:
            raise ToolError(f"the tool behind {proposal.id} is not available in this run")
        outcome = original.invoke(proposal.arguments, ctx)
        proposal.status = "confirmed" if outcome.error is None else "failed"
        proposal.result = outcome.content
        with span("memory_write", f"{proposal.store}.confirm", proposal_id=proposal.id,
                  ids=[proposal.id]):
            self._save(proposal)
        return outcome.content

    def confirm(self, proposal_id: str) -> str:
        """Confirm a proposal on a person's behalf (a notebook button, a UI) and execute it."""
        proposal = self._require(proposal_id)
        ctx = RunContext(run_id=f"confirm-{proposal.id}", session_id=proposal.session_id,
                         user_id=proposal.user_id, agent_id=proposal.agent_id)
        if f"{proposal.store}.{proposal.tool}" not in self._originals:
            self._machine.prepare_tools(ctx)
        return self._execute(proposal, ctx)

    def reject(self, proposal_id: str) -> None:
        proposal = self._require(proposal_id)
        proposal.status = "rejected"
        self._save(proposal)

    def _require(self, proposal_id: str) -> Proposal:
        proposal = self.get(proposal_id)
        if proposal is None:
            raise ToolError(f"no proposal {proposal_id!r}")
        if proposal.status != "pending":
            raise ToolError(f"proposal {proposal_id} is already {proposal.status}")
        return proposal

    def confirm_tool(self) -> Tool:
        book = self

        def confirm_proposal(proposal_id: str, ctx: RunContext) -> str:
            """Execute a proposal the user has just approved in their latest message.

            Args:
                proposal_id: the id given when the write was proposed.
            """
            proposal = book._require(proposal_id)
            if proposal.session_id != ctx.session_id or proposal.user_id != ctx.user_id:
                raise ToolError("that proposal belongs to another conversation")
            if proposal.run_id == ctx.run_id or not is_approval(ctx.message):
                raise ToolError(f"cannot confirm {proposal_id}: the user has not approved it in "
                                "their latest message. Ask them first.")
            return book._execute(proposal, ctx)

        return Tool(confirm_proposal)
