"""The Contacts agent's own tools: a stub web search over canned snippets, and past sessions.

Both are closures over their data so an agent carries no globals: ``web_search_tool`` over the
snippets in ``datasets/contacts/web_snippets.json`` (only titles, URLs and texts reach the
model — never the claim labels, which are for scorers), ``recall_sessions_tool`` over the
session-context store of a LearningMachine (goals and plans of earlier conversations, which
the per-session recall does not show in a new session).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from workbench.agent.tools import RunContext
from workbench.agents.contacts.data import WebSnippet, load_snippets
from workbench.text import normalize_name

if TYPE_CHECKING:
    from workbench.learn import LearningMachine


def web_search_tool(snippets: Mapping[str, WebSnippet] | None = None) -> Callable[..., str]:
    """A ``web_search(query)`` tool answering from canned snippets (no network, ever)."""
    data = dict(snippets) if snippets is not None else load_snippets()

    def web_search(query: str, max_results: int = 3) -> str:
        """Search the web for a company or person (canned offline results).

        Args:
            query: what to look up, e.g. "Acme Robotics".
            max_results: how many results to return.
        """
        words = set(normalize_name(query).split())
        scored = []
        for snippet in data.values():
            overlap = len(words & set(normalize_name(snippet.query).split()))
            if overlap:
                scored.append((-overlap, snippet.query, snippet))
        if not scored:
            return f"No web results for {query!r}."
        best = sorted(scored, key=lambda s: (s[0], s[1]))[0][2]
        lines = [f"[{r.title}]({r.url})\n{r.text}" for r in best.results[:max_results]]
        return f"Web results for {query!r} (may be outdated):\n\n" + "\n\n".join(lines)

    return web_search


def _session_text(data: Mapping[str, Any]) -> str:
    when = str(data.get("updated_at") or "")[:10]
    lines = [f"Session of {when} ({data.get('session_id')}):"]
    if data.get("goal"):
        lines.append(f"  Goal: {data['goal']}")
    lines += [f"  {i}. {step}" for i, step in enumerate(data.get("plan") or [], 1)]
    if data.get("progress"):
        lines.append("  Done: " + "; ".join(data["progress"]))
    return "\n".join(lines)


_STOP = frozenset("""a an the and or of to for in on at by with my i me we our you your what
which who when how was were is are did do does did before after this that it its be plan
steps""".split())


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in normalize_name(text).split() if w not in _STOP and len(w) > 2}


def recall_sessions_tool(machine: LearningMachine) -> Callable[..., str]:
    """A ``recall_sessions(query, date_from, date_to)`` tool over the stored session contexts
    of the current user (sessions without a goal or plan are skipped)."""

    def recall_sessions(query: str, ctx: RunContext, date_from: str | None = None,
                        date_to: str | None = None, limit: int = 3) -> str:
        """Find the goals and plans of earlier conversations with this user.

        Args:
            query: what the session was about, e.g. "guest list for the mentoring circle".
            date_from: only sessions on or after this ISO date.
            date_to: only sessions on or before this ISO date.
            limit: how many sessions to return.
        """
        store = machine.session_context_store
        if store is None:
            return "Session memory is off."
        collection = store.collection()
        total = collection.count()
        if not total:
            return f"No earlier session matches {query!r}."
        # The stored session vectors are reused: only the query is embedded.
        hits = collection.query(collection.embed([query])[0], k=total)
        words = _content_words(query)
        scored = []
        for record, similarity in hits:
            data = record.data
            day = str(data.get("updated_at") or "")[:10]
            if not (data.get("goal") or data.get("plan")) or (date_from and day < date_from) \
                    or (date_to and day > date_to) or data.get("user_id") != ctx.user_id:
                continue
            # Hybrid ranking: meaning (embedding) plus shared content words, so a short query
            # such as "the founders' dinner" still finds the one session that planned a dinner.
            text = _session_text(data)
            scored.append((similarity + 0.25 * len(words & _content_words(text)), record.id, text))
        if not scored:
            return f"No earlier session matches {query!r}."
        scored.sort(key=lambda s: (-s[0], s[1]))
        return "\n".join(text for _, _, text in scored[:max(1, limit)])

    return recall_sessions
